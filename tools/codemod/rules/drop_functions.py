"""Delete functions that only serve pruned packages (``formfield`` builds a form field)."""

from __future__ import annotations

import libcst as cst

from ._base import ScopedRule


class DropFunctions(ScopedRule):
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

    def leave_FunctionDef(self, original_node, updated_node):
        qual = self.frames[-1].qualname
        super().leave_FunctionDef(original_node, updated_node)
        pattern = self._matches(qual)
        if pattern:
            self.hit.add(pattern)
            self.ctx.counts["functions dropped"] += 1
            return cst.RemoveFromParent()
        return updated_node

    def unused(self):
        return [f"drop_functions {p}" for p in self.patterns if p not in self.hit]
