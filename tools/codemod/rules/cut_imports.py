"""Delete the import statements that would pull forms, templates, serializers or URL checks in.

A relative import is resolved as the closure resolves it (``from .management import x`` in
``django.contrib.contenttypes.apps`` imports ``django.contrib.contenttypes.management``)."""

from __future__ import annotations

import libcst as cst

from tools.libcst_toolkit import dotted, resolve_relative

from ._base import ScopedRule


class CutImports(ScopedRule):
    NAME = "cut_imports"
    DESCRIPTION = "remove the import edges listed in tables/closure.toml cut_imports"

    def __init__(self, ctx):
        super().__init__(ctx)
        self.cuts = {tuple(c) for c in ctx.tables["closure"]["cut_imports"]}
        self.hit: set[tuple[str, str]] = set()

    def transform(self, module, tree, is_package):
        self.wanted = {imported for importer, imported in self.cuts if importer == module}
        if not self.wanted:
            return tree
        return super().transform(module, tree, is_package)

    def leave_SimpleStatementLine(self, original_node, updated_node):
        stmt = updated_node.body[0]
        if len(updated_node.body) != 1:
            return updated_node
        wanted = self.wanted
        if isinstance(stmt, cst.Import):
            keep = [a for a in stmt.names if dotted(a.name) not in wanted]
            cut = {dotted(a.name) for a in stmt.names} & wanted
        elif isinstance(stmt, cst.ImportFrom) and (stmt.relative or stmt.module):
            name = dotted(stmt.module) if stmt.module else None
            base = resolve_relative(self.module, self.is_package, len(stmt.relative), name)
            if base in wanted or isinstance(stmt.names, cst.ImportStar):
                keep, cut = [], {base} & wanted
            else:
                keep = [a for a in stmt.names if f"{base}.{a.name.value}" not in wanted]
                cut = {f"{base}.{a.name.value}" for a in stmt.names} & wanted
        else:
            return updated_node
        if not cut:
            return updated_node
        for imported in cut:
            self.hit.add((self.module, imported))
        self.ctx.counts["imports cut"] += 1
        if not keep:
            return cst.RemoveFromParent()
        # The other names of the statement stay; the last one loses its comma.
        keep[-1] = keep[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated_node.with_changes(body=[stmt.with_changes(names=keep)])

    def unused(self):
        return [f"cut_imports {a} -> {b}" for a, b in sorted(self.cuts - self.hit)]
