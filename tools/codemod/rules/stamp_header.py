"""Every generated file opens with a header: where it came from, the pin, how to regenerate."""

from __future__ import annotations

import libcst as cst

from ._base import Rule

MARKER = f"@gen{''}erated"  # split so this source file is not itself taken for generated code


def header_lines(upstream_path: str, version: str) -> list[str]:
    return [
        f"# {MARKER} by tools/rename_fork.py from Django {version}: {upstream_path}",
        "# DO NOT EDIT. Change a rule or an override under tools/codemod/ and regenerate with",
        "#     python tools/rename_fork.py",
        "# Derived from Django (BSD-3-Clause, Copyright (c) Django Software Foundation).",
    ]


def stamp(tree: cst.Module, lines: list[str]) -> cst.Module:
    """``tree`` opening with the comment ``lines``; the same tree when it does already."""
    existing = [e.comment.value if e.comment else None for e in tree.header[: len(lines)]]
    if existing == lines:
        return tree  # stamped already: stamping is idempotent
    comments = [cst.EmptyLine(comment=cst.Comment(line)) for line in lines]
    return tree.with_changes(header=comments + [cst.EmptyLine()] + list(tree.header))


class StampHeader(Rule):
    NAME = "stamp_header"
    DESCRIPTION = "prepend the generated-file header"

    def transform(self, module, tree, is_package):
        path = module.replace(".", "/") + ("/__init__.py" if is_package else ".py")
        stamped = stamp(tree, header_lines(path, self.ctx.tables["pin"].version))
        if stamped is not tree:
            self.ctx.counts["files stamped"] += 1
        return stamped
