"""What changed upstream between two snapshots, within the pruned closure: the files, their
line counts, the definitions they touch, and a unified diff (tools/sync_upstream.py --diff)."""

from __future__ import annotations

import difflib
from pathlib import Path

import libcst as cst

from .closure import import_closure, module_path
from .rules.apply_overrides import code_hash


def _line_counts(old: str, new: str) -> tuple[int, int]:
    diff = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0)
    added = removed = 0
    for line in diff:
        if line.startswith("+") and not line.startswith("+++"):
            added += 1
        elif line.startswith("-") and not line.startswith("---"):
            removed += 1
    return added, removed


def _definitions(code: str) -> dict[str, str]:
    """Qualified name -> code hash of every function and class, nested ones included."""
    found = {}

    def walk(body, prefix):
        for stmt in body:
            if isinstance(stmt, cst.If):
                walk(stmt.body.body, prefix)
                if stmt.orelse is not None and hasattr(stmt.orelse.body, "body"):
                    walk(stmt.orelse.body.body, prefix)
            elif isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
                name = prefix + stmt.name.value
                found[name] = code_hash(stmt)
                if isinstance(stmt.body, cst.IndentedBlock):
                    walk(stmt.body.body, name + ".")

    walk(cst.parse_module(code).body, "")
    return found


def _changed_definitions(old: str, new: str) -> list[str]:
    """Which functions and classes a file change touches, innermost names only."""
    before, after = _definitions(old), _definitions(new)
    names = []
    for name in sorted(set(before) | set(after)):
        if before.get(name) == after.get(name):
            continue
        # A class changes whenever a method does: name the method, not the class too.
        if any(other.startswith(name + ".") and before.get(other) != after.get(other) for other in set(before) | set(after)):
            continue
        kind = "added " if name not in before else "removed " if name not in after else ""
        names.append(kind + name)
    return names


def closure_changes(old_root: Path, new_root: Path, closure: dict) -> tuple[dict, list[str]]:
    """The upstream files of the pruned closure (either snapshot's) that differ, with line
    counts and the definitions touched, plus a unified diff of them for --diff."""
    cuts = {tuple(c) for c in closure["cut_imports"]}
    old_modules = set(import_closure(old_root, closure["seeds"], cuts))
    new_modules = set(import_closure(new_root, closure["seeds"], cuts))
    hand_written = set(closure["hand_written"])
    files, diff = [], []
    for module in sorted(old_modules | new_modules):
        old_path, new_path = module_path(old_root, module), module_path(new_root, module)
        old = old_path.read_text() if module in old_modules else ""
        new = new_path.read_text() if module in new_modules else ""
        if old == new:
            continue
        rel = (new_path or old_path).relative_to(new_root if new_path else old_root).as_posix()
        status = "added" if module not in old_modules else "removed" if module not in new_modules else "changed"
        added, removed = _line_counts(old, new)
        files.append({
            "path": rel,
            "status": status,
            "lines added": added,
            "lines removed": removed,
            "definitions": _changed_definitions(old, new),
            "generated": module not in hand_written,
        })
        diff += difflib.unified_diff(old.splitlines(True), new.splitlines(True), f"a/{rel}", f"b/{rel}")
    outside = _files_changed_outside(old_root, new_root, old_modules | new_modules)
    summary = {
        "modules": {"before": len(old_modules), "after": len(new_modules)},
        "files changed": files,
        "files changed outside the closure": outside,
    }
    return summary, diff


def _files_changed_outside(old_root: Path, new_root: Path, modules: set[str]) -> int:
    inside = {module_path(r, m) for m in modules for r in (old_root, new_root)}
    count = 0
    old_files = {p.relative_to(old_root) for p in (old_root / "django").rglob("*.py")}
    new_files = {p.relative_to(new_root) for p in (new_root / "django").rglob("*.py")}
    for rel in old_files | new_files:
        if old_root / rel in inside or new_root / rel in inside:
            continue
        a, b = old_root / rel, new_root / rel
        if not (a.exists() and b.exists()) or a.read_bytes() != b.read_bytes():
            count += 1
    return count
