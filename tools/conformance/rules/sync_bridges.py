"""asgiref's bridges between sync and async code have nothing to bridge once the test is
async and teapot's API is: ``@async_to_sync`` on an ``async def`` is dropped (the runner
awaits the test), and ``sync_to_async(f)(...)`` becomes ``aw(f(...))`` (``f``'s teapot version
is a coroutine function; a sync ``f`` is called as it is)."""

from __future__ import annotations

import libcst as cst

from ._base import Context


def _named(node, name) -> bool:
    full = cst.helpers.get_full_name_for_node(node) or ""
    return full == name or full.endswith("." + name)


class _Bridges(cst.CSTTransformer):
    def __init__(self, ctx: Context):
        super().__init__()
        self.ctx = ctx

    def leave_FunctionDef(self, original_node, updated_node):
        if updated_node.asynchronous is None:
            return updated_node
        decorators = [d for d in updated_node.decorators if not _named(d.decorator, "async_to_sync")]
        if len(decorators) == len(updated_node.decorators):
            return updated_node
        return updated_node.with_changes(decorators=decorators)

    def leave_Call(self, original_node, updated_node):
        inner = updated_node.func
        if (
            isinstance(inner, cst.Call)
            and _named(inner.func, "sync_to_async")
            and len(inner.args) == 1
            and inner.args[0].keyword is None
        ):
            self.ctx.helpers.add("aw")
            call = cst.Call(func=inner.args[0].value, args=updated_node.args)
            return cst.Call(func=cst.Name("aw"), args=[cst.Arg(value=call)])
        return updated_node


def apply(tree: cst.Module, ctx: Context) -> cst.Module:
    return tree.visit(_Bridges(ctx))
