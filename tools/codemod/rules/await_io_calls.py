"""Put ``await`` before every call to a coroutine-coloured function inside an async function.

A generator expression that comes to hold an ``await`` would become an async generator,
which ``any()``/``sum()``/``tuple()`` cannot drain: it becomes a list comprehension.
"""

from __future__ import annotations

import libcst as cst

from ..callgraph import COROUTINE
from ._base import ScopedRule


def parenthesize(node):
    return node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


class AwaitIoCalls(ScopedRule):
    NAME = "await_io_calls"
    DESCRIPTION = "await each call whose target is a coroutine"

    def start(self, module, is_package):
        super().start(module, is_package)
        self.with_items: set[int] = set()  # calls that must not get an await
        self.genexp_awaits: list[int] = []

    def visit_WithItem(self, node):
        self.with_items.add(id(node.item))

    def visit_Await(self, node):
        self.with_items.add(id(node.expression))  # awaited already, by upstream

    def visit_GeneratorExp(self, node):
        self.genexp_awaits.append(0)

    def leave_GeneratorExp(self, original_node, updated_node):
        if self.genexp_awaits.pop():
            self.ctx.counts["generator expressions made lists"] += 1
            return cst.ListComp(elt=updated_node.elt, for_in=updated_node.for_in)
        return updated_node

    def leave_Call(self, original_node, updated_node):
        if id(original_node) in self.with_items or not self.in_async_func():
            return updated_node
        if self.graph.call_colour(original_node, self.scope()) != COROUTINE:
            return updated_node
        self.ctx.counts["awaits"] += 1
        if self.genexp_awaits:
            self.genexp_awaits[-1] += 1
        return cst.Await(expression=updated_node)

    def _wrap_value(self, updated_node):
        if isinstance(updated_node.value, cst.Await) and not updated_node.value.lpar:
            return updated_node.with_changes(value=parenthesize(updated_node.value))
        return updated_node

    def leave_Attribute(self, original_node, updated_node):
        return self._wrap_value(updated_node)

    def leave_Subscript(self, original_node, updated_node):
        return self._wrap_value(updated_node)

