"""Coloured sync-protocol dunders become their async twins (``__iter__`` -> ``__aiter__``)."""

from __future__ import annotations

import libcst as cst

from ._base import ScopedRule


class DunderMap(ScopedRule):
    NAME = "dunder_map"
    DESCRIPTION = "rename coloured __iter__/__enter__/__exit__ to their async protocol names"

    def __init__(self, ctx):
        super().__init__(ctx)
        self.mapping = dict(ctx.tables["rules"]["dunder_map"])
        self.hit: set[str] = set()

    def leave_FunctionDef(self, original_node, updated_node):
        qual = self.current_func()
        super().leave_FunctionDef(original_node, updated_node)
        name = updated_node.name.value
        if name in self.mapping and self.graph.colour.get(qual) and qual not in self.graph.fixed:
            self.hit.add(name)
            self.ctx.counts["dunders renamed"] += 1
            return updated_node.with_changes(name=cst.Name(self.mapping[name]))
        return updated_node

    def leave_Call(self, original_node, updated_node):
        # super().__enter__() inside a coloured __enter__ calls the async twin too.
        func = original_node.func
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value in self.mapping
            and self.graph.call_colour(original_node, self.scope())
        ):
            self.ctx.counts["dunder calls renamed"] += 1
            return updated_node.with_changes(
                func=updated_node.func.with_changes(attr=cst.Name(self.mapping[func.attr.value]))
            )
        return updated_node

    def unused(self):
        return [f"dunder_map {k}" for k in self.mapping if k not in self.hit]
