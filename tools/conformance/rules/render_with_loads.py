"""``repr(obj)`` and ``str(obj)`` in an async function become ``await rendered(repr, obj)``:
a model's ``__str__`` often reads a relation (``"%s the restaurant" % self.place``), which
Django loads as it is read and teapot refuses to load behind a sync call. ``rendered()``
loads what the rendering reads, then renders again."""

from __future__ import annotations

import libcst as cst

from ._base import Context, ScopedTransformer, helper_call

RENDERERS = ("repr", "str")


class _RenderWithLoads(ScopedTransformer):
    def leave_Call(self, original_node, updated_node):
        func = updated_node.func
        if not (isinstance(func, cst.Name) and func.value in RENDERERS and self.in_async()):
            return updated_node
        args = updated_node.args
        if len(args) != 1 or args[0].keyword is not None or args[0].star:
            return updated_node
        return helper_call("rendered", [cst.Name(func.value), args[0].value], self.ctx)


def apply(tree: cst.Module, ctx: Context) -> cst.Module:
    return tree.visit(_RenderWithLoads(ctx))
