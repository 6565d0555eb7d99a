"""Every transformed test file opens with a header: its upstream file, the pin, and how to
rebuild it (stamped as the codemod stamps the generated fork)."""

from __future__ import annotations

import libcst as cst

from tools.codemod.rules.stamp_header import MARKER, stamp

from ._base import Context


def header_lines(upstream_path: str, version: str) -> list[str]:
    return [
        f"# {MARKER} by tools/conformance/transform.py from Django {version}: tests/{upstream_path}",
        "# DO NOT EDIT. Change a rule under tools/conformance/rules/ and rebuild with",
        "#     python tools/django_suite.py --build-only",
        "# Derived from Django (BSD-3-Clause, Copyright (c) Django Software Foundation).",
    ]


def apply(tree: cst.Module, ctx: Context) -> cst.Module:
    return stamp(tree, header_lines(ctx.upstream_path, ctx.version))
