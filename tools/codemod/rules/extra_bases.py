"""Give generated classes a hand-written base class (tables/rules.toml ``extra_bases``).

teapot's own behaviour that a generated class needs whole, not method by method (the
connection leases of ``BaseDatabaseWrapper``), lives in a hand-written module under
``teapot/``; the generated class lists it first among its bases and imports it.
"""

from __future__ import annotations

import libcst as cst

from tools.libcst_toolkit import after_imports

from ._base import Rule


class ExtraBases(Rule):
    NAME = "extra_bases"
    DESCRIPTION = "add the hand-written bases listed in tables/rules.toml extra_bases"

    def __init__(self, ctx):
        super().__init__(ctx)
        self.entries = ctx.tables["rules"].get("extra_bases", [])
        self.hit: set[str] = set()

    def transform(self, module, tree, is_package):
        mine = [e for e in self.entries if e["class"].rpartition(".")[0] == module]
        if not mine:
            return tree
        body = list(tree.body)
        imports = []
        for entry in mine:
            name = entry["class"].rpartition(".")[2]
            base_module, _, base_name = entry["base"].rpartition(".")
            for i, stmt in enumerate(body):
                if isinstance(stmt, cst.ClassDef) and stmt.name.value == name:
                    bases = [cst.Arg(cst.Name(base_name)), *stmt.bases]
                    body[i] = stmt.with_changes(bases=bases, lpar=cst.LeftParen(), rpar=cst.RightParen())
                    imports.append(cst.parse_statement(f"from {base_module} import {base_name}"))
                    self.hit.add(entry["class"])
                    self.ctx.counts["bases added"] += 1
        return after_imports(tree.with_changes(body=body), imports)

    def unused(self):
        return [f"extra_bases {e['class']}" for e in self.entries if e["class"] not in self.hit]
