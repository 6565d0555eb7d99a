"""A module whose rewritten code calls tools.conformance.shims' helpers imports them
(after the ``from __future__`` imports)."""

from __future__ import annotations

import libcst as cst

from ._base import Context


def apply(tree: cst.Module, ctx: Context) -> cst.Module:
    if not ctx.helpers:
        return tree
    names = ", ".join(sorted(ctx.helpers))
    statement = cst.parse_statement(f"from tools.conformance.shims import {names}\n")
    body = list(tree.body)
    index = 0
    for i, stmt in enumerate(body):
        if (
            isinstance(stmt, cst.SimpleStatementLine)
            and isinstance(stmt.body[0], cst.ImportFrom)
            and isinstance(stmt.body[0].module, cst.Name)
            and stmt.body[0].module.value == "__future__"
        ):
            index = i + 1
        elif i == 0 and isinstance(stmt, cst.SimpleStatementLine) and isinstance(stmt.body[0], cst.Expr):
            if isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString)):
                index = 1  # after the docstring
    body.insert(index, statement)
    return tree.with_changes(body=body)
