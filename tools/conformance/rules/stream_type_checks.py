"""A type check of what ``iterator()`` returns, ``isinstance(qs.iterator(), abc.Iterator)`` or
``assertIsInstance(...)``, asks for ``abc.AsyncIterator``: teapot's ``iterator()`` is a
stream read with ``async for``, where Django's is a generator read with ``for``. The check
keeps its point (the rows come lazily, through an iterator protocol); only the protocol's
name changes. Other type checks are left alone."""

from __future__ import annotations

import libcst as cst

from ._base import Context

CHECKS = {"isinstance", "assertIsInstance", "assertNotIsInstance"}


def _is_iterator_call(node) -> bool:
    return (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "iterator"
    )


def _check_name(node: cst.Call) -> str | None:
    func = node.func
    if isinstance(func, cst.Name):
        return func.value
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return None


class _StreamTypeChecks(cst.CSTTransformer):
    def leave_Call(self, original_node, updated_node):
        if _check_name(updated_node) not in CHECKS or len(updated_node.args) < 2:
            return updated_node
        checked, kind = updated_node.args[0], updated_node.args[1]
        if not _is_iterator_call(checked.value):
            return updated_node
        if not (isinstance(kind.value, cst.Attribute) and kind.value.attr.value == "Iterator"):
            return updated_node
        async_kind = kind.value.with_changes(attr=cst.Name("AsyncIterator"))
        args = list(updated_node.args)
        args[1] = kind.with_changes(value=async_kind)
        return updated_node.with_changes(args=args)


def apply(tree: cst.Module, ctx: Context) -> cst.Module:
    return tree.visit(_StreamTypeChecks())
