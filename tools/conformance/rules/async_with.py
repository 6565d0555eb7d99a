"""``with`` -> ``async with`` for teapot's async context managers (``assertNumQueries``,
``atomic``, ``captureOnCommitCallbacks``, ``CaptureQueriesContext``, ``cursor()``,
``schema_editor()``, ``constraint_checks_disabled()``, a cursor from an awaited
``execute_sql(CURSOR)``). A ``with`` that mixes them with sync ones is split into nested blocks."""

from __future__ import annotations

import libcst as cst

from ._base import ASYNC_CONTEXTS, Context, ScopedTransformer, call_name, paren


# Awaited helpers of the transform whose results are plain values, never teapot's cursors.
SYNC_HELPERS = {"aw", "load"}


def _is_async_item(item: cst.WithItem) -> bool:
    expr = item.item
    if isinstance(expr, cst.Await):
        # (await compiler.execute_sql(CURSOR)): an awaited teapot result entered as a context
        # manager is a cursor; aw(...) marks a name other types have too, and load(obj, name)
        # an attribute (a field's file), both left sync.
        inner = expr.expression
        return not (isinstance(inner, cst.Call) and isinstance(inner.func, cst.Name) and inner.func.value in SYNC_HELPERS)
    if isinstance(expr, cst.Call):
        return call_name(expr) in ASYNC_CONTEXTS
    if isinstance(expr, cst.Attribute):
        return expr.attr.value == "atomic"
    if isinstance(expr, cst.Name):
        return expr.value == "atomic"
    return False


DUNDERS = {"__enter__": "__aenter__", "__exit__": "__aexit__"}


class _AsyncWith(ScopedTransformer):
    def leave_Call(self, original_node, updated_node):
        # atomic.__enter__() -> await atomic.__aenter__() (an Atomic kept on the test case)
        func = updated_node.func
        if self.in_async() and isinstance(func, cst.Attribute) and func.attr.value in DUNDERS:
            if isinstance(func.value, cst.Attribute) and func.value.attr.value == "atomic" or (
                isinstance(func.value, cst.Name) and func.value.value == "atomic"
            ):
                call = updated_node.with_changes(func=func.with_changes(attr=cst.Name(DUNDERS[func.attr.value])))
                return paren(cst.Await(expression=call))
        return updated_node

    def leave_With(self, original_node, updated_node):
        if not self.in_async() or updated_node.asynchronous is not None:
            return updated_node
        flags = [_is_async_item(item) for item in updated_node.items]
        if not any(flags):
            return updated_node
        items = [item.with_changes(comma=cst.MaybeSentinel.DEFAULT) for item in updated_node.items]
        if all(flags):
            return updated_node.with_changes(asynchronous=cst.Asynchronous(), lpar=cst.MaybeSentinel.DEFAULT, rpar=cst.MaybeSentinel.DEFAULT, items=items)
        body = updated_node.body
        for item, is_async in reversed(list(zip(items, flags))):
            block = cst.With(items=[item], body=body, asynchronous=cst.Asynchronous() if is_async else None)
            body = cst.IndentedBlock(body=[block])
        return body.body[0].with_changes(leading_lines=updated_node.leading_lines)


def apply(tree: cst.Module, ctx: Context) -> cst.Module:
    return tree.visit(_AsyncWith(ctx))
