"""Iteration over async iterables: ``for`` becomes ``async for``, ``yield from`` a loop, and
``list()``/``tuple()``/... over one an async comprehension."""

from __future__ import annotations

import libcst as cst
import libcst.matchers

from tools.libcst_toolkit import dotted

from ..callgraph import CONSUMERS
from ._base import ScopedRule


class AsyncFor(ScopedRule):
    NAME = "async_for"
    DESCRIPTION = "iterate async iterables with async for"

    def _unused_name(self, base: str) -> str:
        """``base``, or ``base_1``...: a loop variable that no name of the function uses."""
        func = self.graph.funcs.get(self.current_func())
        taken = {n.value for n in cst.matchers.findall(func.node, cst.matchers.Name())} if func else set()
        name, n = base, 0
        while name in taken:
            n += 1
            name = f"{base}_{n}"
        return name

    def _is_async(self, expr) -> bool:
        return self.in_async_func() and bool(self.graph.iter_colour(expr, self.scope()))

    def leave_For(self, original_node, updated_node):
        """A ``for`` statement, or a comprehension's ``for`` (leave_CompFor)."""
        if updated_node.asynchronous is None and self._is_async(original_node.iter):
            self.ctx.counts["async for"] += 1
            return updated_node.with_changes(asynchronous=cst.Asynchronous())
        return updated_node

    leave_CompFor = leave_For

    def leave_Call(self, original_node, updated_node):
        name = dotted(original_node.func)
        if name not in CONSUMERS or len(original_node.args) != 1:
            return updated_node
        arg = original_node.args[0]
        if arg.star or not self._is_async(arg.value):
            return updated_node
        self.ctx.counts["async comprehensions"] += 1
        item = cst.Name("item")
        comp = cst.CompFor(
            target=item, iter=updated_node.args[0].value, asynchronous=cst.Asynchronous()
        )
        listcomp = cst.ListComp(elt=item, for_in=comp)
        if name == "list":
            return listcomp
        return updated_node.with_changes(args=[cst.Arg(listcomp)])

    def leave_SimpleStatementLine(self, original_node, updated_node):
        stmt = original_node.body[0]
        if (
            len(original_node.body) == 1
            and isinstance(stmt, cst.Expr)
            and isinstance(stmt.value, cst.Yield)
            and isinstance(stmt.value.value, cst.From)
            and self.in_async_func()
        ):
            # No ``yield from`` in an async generator: loop, asynchronously if needed.
            is_async = self._is_async(stmt.value.value.item)
            self.ctx.counts["yield from made a loop"] += 1
            item = cst.Name(self._unused_name("item"))
            return cst.For(
                target=item,
                iter=updated_node.body[0].value.value.item,
                body=cst.IndentedBlock([cst.SimpleStatementLine([cst.Expr(cst.Yield(item))])]),
                leading_lines=updated_node.leading_lines,
                asynchronous=cst.Asynchronous() if is_async else None,
            )
        return updated_node

