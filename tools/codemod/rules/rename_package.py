"""``django`` becomes ``teapot``: import statements, name references, and dotted paths in strings
(backend modules, ``DEFAULT_AUTO_FIELD``, deconstruct paths). Table names such as
``django_content_type`` are not dotted paths and stay as they are."""

from __future__ import annotations

import re

import libcst as cst

from ._base import Rule

DOTTED = re.compile(r"\bdjango(?=\.[A-Za-z_])")


class RenamePackage(Rule):
    NAME = "rename_package"
    DESCRIPTION = "rename the django package to teapot in code and dotted-path strings"

    def __init__(self, ctx):
        super().__init__(ctx)
        self.old = ctx.tables["rules"]["rename"]["from"]
        self.new = ctx.tables["rules"]["rename"]["to"]

    def transform(self, module, tree, is_package):
        ctx = self.ctx
        old, new = self.old, self.new

        class Rename(cst.CSTTransformer):
            def __init__(self):
                super().__init__()
                self.skip: set[int] = set()

            def visit_Attribute(self, node):
                self.skip.add(id(node.attr))

            def leave_Name(self, original_node, updated_node):
                if updated_node.value == old and id(original_node) not in self.skip:
                    ctx.counts["names renamed"] += 1
                    return updated_node.with_changes(value=new)
                return updated_node

            def leave_SimpleString(self, original_node, updated_node):
                value = DOTTED.sub(new, updated_node.value)
                if value != updated_node.value:
                    ctx.counts["strings renamed"] += 1
                    return updated_node.with_changes(value=value)
                return updated_node

            def leave_FormattedStringText(self, original_node, updated_node):
                value = DOTTED.sub(new, updated_node.value)
                return updated_node.with_changes(value=value) if value != updated_node.value else updated_node

        return tree.visit(Rename())
