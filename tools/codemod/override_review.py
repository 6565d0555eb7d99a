"""Overrides to review when upstream moves: those whose upstream definition changed between
two snapshots or no longer has the hash the override records, with the diff and the new hash."""

from __future__ import annotations

import difflib
from pathlib import Path

import libcst as cst

from .closure import module_path
from .rules.apply_overrides import Override, code_hash, find_def, override_files, read_override


def override_targets() -> list[Override]:
    """Every ``@override`` that replaces an upstream definition (``new=True`` ones add code)."""
    return [
        ov
        for module, tree, source in override_files()
        for stmt in tree.body
        if (ov := read_override(module, stmt, source)) is not None and not ov.new
    ]


def _definition(tree: cst.Module | None, target: str):
    return find_def(tree, target.split(".")) if tree is not None else None


def _code(node) -> str | None:
    return cst.Module(body=[]).code_for_node(node).strip() if node is not None else None


def override_changes(old_root: Path, new_root: Path) -> list[dict]:
    """Overrides whose upstream definition differs between the snapshots or from the hash
    the override records. "drifted" (recorded hash no longer matches) needs a review before
    the move; "missing" cannot be taken; "changed, hash already recorded" is for information."""
    changes = []
    trees: dict[tuple[Path, str], cst.Module | None] = {}

    def tree(root, module):
        if (root, module) not in trees:
            path = module_path(root, module)
            trees[root, module] = cst.parse_module(path.read_text()) if path else None
        return trees[root, module]

    for ov in override_targets():
        old_node = _definition(tree(old_root, ov.module), ov.target)
        new_node = _definition(tree(new_root, ov.module), ov.target)
        old, new = _code(old_node), _code(new_node)
        new_hash = code_hash(new_node) if new_node is not None else None
        old_hash = code_hash(old_node) if old_node is not None else None
        if new is None:
            status = "missing"
        elif new_hash != ov.upstream:
            status = "drifted"
        elif old_hash != new_hash:
            status = "changed, hash already recorded"
        else:
            continue
        diff = difflib.unified_diff(
            (old or "").splitlines(), (new or "").splitlines(), "pinned", "new", lineterm="", n=2
        )
        changes.append({
            "target": ov.qualname,
            "source": ov.source,
            "status": status,
            "recorded hash": ov.upstream,
            "pinned hash": old_hash,
            "new hash": new_hash,
            "diff": list(diff)[2:],
        })
    return changes
