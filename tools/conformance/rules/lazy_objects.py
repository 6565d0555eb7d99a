"""``SimpleLazyObject(lambda: x)`` in an async function, where ``x`` needs ``await`` (a query),
becomes ``await lazy_object(lambda: x)``: the value is read (and awaited) there, and the lazy
object wraps it. Django reads it on first use, in code that is sync in teapot (a filter being
built), which could not await it."""

from __future__ import annotations

import libcst as cst

from ._base import Context, ScopedTransformer, helper_call
from .hoist_lambdas import _needs_await


class _LazyObjects(ScopedTransformer):
    def leave_Call(self, original_node, updated_node):
        if not (
            self.in_async()
            and (cst.helpers.get_full_name_for_node(updated_node.func) or "").split(".")[-1] == "SimpleLazyObject"
            and len(updated_node.args) == 1
            and updated_node.args[0].keyword is None
            and not updated_node.args[0].star
            and isinstance(updated_node.args[0].value, cst.Lambda)
        ):
            return updated_node
        lam = updated_node.args[0].value
        if lam.params.params or not _needs_await(lam.body, lam.params, self.ctx):
            return updated_node
        return helper_call("lazy_object", [lam], self.ctx)


def apply(tree: cst.Module, ctx: Context) -> cst.Module:
    return tree.visit(_LazyObjects(ctx))
