"""Every transformed test file opens with a header: its upstream file, the pin, and how to
rebuild it (stamped as the codemod stamps the generated fork)."""

from __future__ import annotations

import libcst as cst

from tools.libcst_toolkit import header_lines, stamp

from ._base import Context


def apply(tree: cst.Module, ctx: Context) -> cst.Module:
    lines = header_lines(
        "tools/conformance/transform.py",
        ctx.version,
        f"tests/{ctx.upstream_path}",
        "Change a rule under tools/conformance/rules/ and rebuild with",
        "python tools/django_suite.py --build-only",
    )
    return stamp(tree, lines)
