"""Delete the import statements that would pull forms, templates, serializers or URL checks in."""

from __future__ import annotations

import libcst as cst

from ..callgraph import dotted
from ._base import Rule


class CutImports(Rule):
    NAME = "cut_imports"
    DESCRIPTION = "remove the import edges listed in tables/closure.toml cut_imports"

    def __init__(self, ctx):
        super().__init__(ctx)
        self.cuts = {tuple(c) for c in ctx.tables["closure"]["cut_imports"]}
        self.hit: set[tuple[str, str]] = set()

    def transform(self, module, tree, is_package):
        wanted = {imported for importer, imported in self.cuts if importer == module}
        if not wanted:
            return tree
        rule = self

        class Cut(cst.CSTTransformer):
            def leave_SimpleStatementLine(self, original_node, updated_node):
                stmt = updated_node.body[0]
                targets = set()
                if isinstance(stmt, cst.Import):
                    targets = {dotted(a.name) for a in stmt.names}
                elif isinstance(stmt, cst.ImportFrom) and not stmt.relative and stmt.module:
                    base = dotted(stmt.module)
                    targets = {base} | (
                        {f"{base}.{a.name.value}" for a in stmt.names}
                        if not isinstance(stmt.names, cst.ImportStar)
                        else set()
                    )
                matched = targets & wanted
                if matched and len(updated_node.body) == 1:
                    for imported in matched:
                        rule.hit.add((module, imported))
                    rule.ctx.counts["imports cut"] += 1
                    return cst.RemoveFromParent()
                return updated_node

        return tree.visit(Cut())

    def unused(self):
        return [f"cut_imports {a} -> {b}" for a, b in sorted(self.cuts - self.hit)]
