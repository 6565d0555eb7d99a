"""Every transformed test file opens with a header: its upstream file, the pin, and how to
rebuild it."""

from __future__ import annotations

import libcst as cst

from ._base import Context

MARKER = f"@gen{''}erated"


def header_lines(upstream_path: str, version: str) -> list[str]:
    return [
        f"# {MARKER} by tools/conformance/transform.py from Django {version}: tests/{upstream_path}",
        "# DO NOT EDIT. Change a rule under tools/conformance/rules/ and rebuild with",
        "#     python tools/django_suite.py --build-only",
        "# Derived from Django (BSD-3-Clause, Copyright (c) Django Software Foundation).",
    ]


def apply(tree: cst.Module, ctx: Context) -> cst.Module:
    lines = header_lines(ctx.upstream_path, ctx.version)
    existing = [e.comment.value if e.comment else None for e in tree.header[: len(lines)]]
    if existing == lines:
        return tree
    comments = [cst.EmptyLine(comment=cst.Comment(line)) for line in lines]
    return tree.with_changes(header=comments + [cst.EmptyLine()] + list(tree.header))
