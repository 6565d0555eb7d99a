#!/usr/bin/env python3
"""Print the upstream hash an override must record: python tools/override_hash.py django.db.models.query QuerySet.get"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import tempfile  # noqa: E402

import libcst as cst  # noqa: E402

from codemod.closure import module_path  # noqa: E402
from codemod.pin import Pin, open_source  # noqa: E402
from codemod.rules.apply_overrides import code_hash, find_def  # noqa: E402


def main(argv):
    module, targets = argv[0], argv[1:]
    with tempfile.TemporaryDirectory() as work:
        root = open_source(Pin.load(), None, Path(work))
        tree = cst.parse_module(module_path(root, module).read_text())
        for target in targets:
            node = find_def(tree, target.split("."))
            print(f"{target} {code_hash(node) if node else 'NOT FOUND'}")


if __name__ == "__main__":
    main(sys.argv[1:])
