"""Delete functions that only serve pruned packages (``formfield`` builds a form field)."""

from __future__ import annotations

import libcst as cst

from ._base import Rule, ScopedTransformer


class DropFunctions(Rule):
    NAME = "drop_functions"
    DESCRIPTION = "remove the functions listed in tables/rules.toml drop_functions"

    def __init__(self, ctx):
        super().__init__(ctx)
        self.patterns = ctx.tables["rules"]["drop_functions"]
        self.hit: set[str] = set()

    def _matches(self, qual: str) -> str | None:
        for pattern in self.patterns:
            if pattern.startswith("*."):
                if qual.endswith(pattern[1:]):
                    return pattern
            elif qual == pattern:
                return pattern
        return None

    def transform(self, module, tree, is_package):
        rule = self

        class Drop(ScopedTransformer):
            def leave_FunctionDef(self, original_node, updated_node):
                qual = ".".join(self.names)
                super().leave_FunctionDef(original_node, updated_node)
                pattern = rule._matches(qual)
                if pattern:
                    rule.hit.add(pattern)
                    rule.ctx.counts["functions dropped"] += 1
                    return cst.RemoveFromParent()
                return updated_node

        return tree.visit(Drop(self.ctx, module))

    def unused(self):
        return [f"drop_functions {p}" for p in self.patterns if p not in self.hit]
