"""A lambda put in place of a teapot coroutine method (``connection.introspection.table_names
= lambda c: [...]``) becomes an ``async def`` defined just before the statement: teapot's code
awaits what it calls there, so the stand-in must return an awaitable. The calls in its body
are then awaited by await_calls like any other async function's. Only inside functions, and
only for names that are coroutines in teapot and in no other type."""

from __future__ import annotations

import libcst as cst

from ._base import Context, is_coroutine_name


class _StandIns(cst.CSTTransformer):
    def __init__(self, ctx: Context):
        super().__init__()
        self.ctx = ctx
        self.functions = 0
        self.count = 0

    def visit_FunctionDef(self, node):
        self.functions += 1

    def leave_FunctionDef(self, original_node, updated_node):
        self.functions -= 1
        return updated_node

    def _replaced_method(self, stmt) -> bool:
        if not isinstance(stmt, cst.Assign) or len(stmt.targets) != 1:
            return False
        target = stmt.targets[0].target
        if not isinstance(target, cst.Attribute) or not isinstance(stmt.value, cst.Lambda):
            return False
        name = target.attr.value
        return is_coroutine_name(self.ctx, name) and name not in self.ctx.ambiguous

    def leave_SimpleStatementLine(self, original_node, updated_node):
        if not self.functions or len(updated_node.body) != 1 or not self._replaced_method(updated_node.body[0]):
            return updated_node
        assign = updated_node.body[0]
        lam = assign.value
        self.count += 1
        name = f"_stand_in_{self.count}"
        func = cst.FunctionDef(
            name=cst.Name(name),
            params=lam.params,
            asynchronous=cst.Asynchronous(),
            body=cst.IndentedBlock(body=[cst.SimpleStatementLine(body=[cst.Return(value=lam.body)])]),
        )
        line = updated_node.with_changes(body=[assign.with_changes(value=cst.Name(name))])
        return cst.FlattenSentinel([func, line])


def apply(tree: cst.Module, ctx: Context) -> cst.Module:
    return tree.visit(_StandIns(ctx))
