"""Every generated file opens with a header: where it came from, the pin, how to regenerate."""

from __future__ import annotations

from tools import libcst_toolkit

from ._base import Rule


def header_lines(upstream_path: str, version: str) -> list[str]:
    return libcst_toolkit.header_lines(
        "tools/rename_fork.py",
        version,
        upstream_path,
        "Change a rule or an override under tools/codemod/ and regenerate with",
        "python tools/rename_fork.py",
    )


class StampHeader(Rule):
    NAME = "stamp_header"
    DESCRIPTION = "prepend the generated-file header"

    def transform(self, module, tree, is_package):
        path = module.replace(".", "/") + ("/__init__.py" if is_package else ".py")
        stamped = libcst_toolkit.stamp(tree, header_lines(path, self.ctx.tables["pin"].version))
        if stamped is not tree:
            self.ctx.counts["files stamped"] += 1
        return stamped
