"""Prune the snapshot to the ORM: the eager import closure of a few seed modules.

"Eager" imports run at import time (module level, class bodies, ``if``/``try`` blocks).
Imports inside functions are lazy and do not pull a module in. Edges listed in the
``cut_imports`` table are removed by a rule before the closure is taken, so the web checks
(URLs, CSRF, sessions), mail and the synchronous drivers stay out of the fork.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tools.libcst_toolkit import resolve_relative


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def module_path(root: Path, name: str) -> Path | None:
    base = root.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def _eager_statements(body):
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.ClassDef):
            yield from _eager_statements(node.body)
        elif isinstance(node, ast.If):
            yield from _eager_statements(node.body)
            yield from _eager_statements(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody):
                yield from _eager_statements(block)
            for handler in node.handlers:
                yield from _eager_statements(handler.body)
        elif isinstance(node, ast.With):
            yield from _eager_statements(node.body)


def eager_imports(root: Path, name: str, cuts: set[tuple[str, str]]) -> set[str]:
    """Modules of the snapshot that ``name`` imports at import time, less the cut edges."""
    path = module_path(root, name)
    tree = ast.parse(path.read_text(), str(path))
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    top = name.split(".")[0]
    for node in _eager_statements(tree.body):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = resolve_relative(name, is_package, node.level, node.module)
            targets = [base]
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                if module_path(root, sub):
                    targets.append(sub)
        for target in targets:
            if target.split(".")[0] != top or (name, target) in cuts:
                continue
            # Importing a.b.c also imports the packages a and a.b.
            parts = target.split(".")
            for i in range(1, len(parts) + 1):
                if module_path(root, ".".join(parts[:i])):
                    found.add(".".join(parts[:i]))
    return found


def import_closure(root: Path, seeds: list[str], cuts: set[tuple[str, str]]) -> list[str]:
    """The sorted eager closure of ``seeds``; every parent package of a module is included."""
    todo = list(seeds)
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        if module_path(root, name) is None:
            raise ValueError(f"seed or import {name!r} is not a module of the snapshot")
        seen.add(name)
        parts = name.split(".")
        todo.extend(".".join(parts[:i]) for i in range(1, len(parts)))
        todo.extend(eager_imports(root, name, cuts))
    return sorted(seen)
