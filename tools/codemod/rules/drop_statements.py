"""Delete module-level statements that bind a synchronous driver (``import psycopg``, the
``MySQLdb`` version check). Each entry of tables/rules.toml ``drop_statements`` names one
top-level statement by the hash of its code, so a changed upstream statement stops the build
instead of being dropped unseen. What replaces it comes from the module's override file."""

from __future__ import annotations

import hashlib

import libcst as cst

from ._base import Rule


def statement_hash(node: cst.CSTNode) -> str:
    code = cst.Module(body=[]).code_for_node(node.with_changes(leading_lines=[])).strip()
    return hashlib.sha256(code.encode()).hexdigest()[:12]


class DropStatements(Rule):
    NAME = "drop_statements"
    DESCRIPTION = "remove the top-level statements listed in tables/rules.toml drop_statements"

    def __init__(self, ctx):
        super().__init__(ctx)
        self.entries = {(e["module"], e["hash"]): e.get("why", "") for e in ctx.tables["rules"].get("drop_statements", [])}
        self.hit: set[tuple[str, str]] = set()

    def transform(self, module, tree, is_package):
        wanted = {h for m, h in self.entries if m == module}
        if not wanted:
            return tree
        body = []
        for stmt in tree.body:
            digest = statement_hash(stmt)
            if digest in wanted:
                self.hit.add((module, digest))
                self.ctx.counts["statements dropped"] += 1
                continue
            body.append(stmt)
        return tree.with_changes(body=body)

    def unused(self):
        return [f"drop_statements {m} {h} ({why})" for (m, h), why in sorted(self.entries.items()) if (m, h) not in self.hit]
