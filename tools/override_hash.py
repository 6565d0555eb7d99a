#!/usr/bin/env python3
"""Print the upstream hashes that overrides and drop_statements entries record.

    python tools/override_hash.py django.db.models.query QuerySet.get   # an override's target
    python tools/override_hash.py django.db.backends.postgresql.base    # every top-level statement
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):
    # Run as a file: import the tools from the repository root (tools.codemod...), as
    # `python -m tools.override_hash` does, instead of from tools/ itself.
    sys.path[0] = str(ROOT)

import tempfile  # noqa: E402

import libcst as cst  # noqa: E402

from tools.codemod.closure import module_path  # noqa: E402
from tools.codemod.pin import Pin, open_source  # noqa: E402
from tools.codemod.rules.apply_overrides import code_hash, find_def  # noqa: E402
from tools.codemod.rules.drop_statements import statement_hash  # noqa: E402


def main(argv):
    module, targets = argv[0], argv[1:]
    with tempfile.TemporaryDirectory() as work:
        root = open_source(Pin.load(), None, Path(work))
        tree = cst.parse_module(module_path(root, module).read_text())
        if not targets:
            for stmt in tree.body:
                code = cst.Module(body=[]).code_for_node(stmt.with_changes(leading_lines=[])).strip()
                print(statement_hash(stmt), code.splitlines()[0])
        for target in targets:
            node = find_def(tree, target.split("."))
            print(f"{target} {code_hash(node) if node else 'NOT FOUND'}")


if __name__ == "__main__":
    main(sys.argv[1:])
