"""``django`` becomes ``teapot``: import statements, name references, and dotted paths in strings
(backend modules, ``DEFAULT_AUTO_FIELD``, deconstruct paths). Table names such as
``django_content_type`` are not dotted paths and stay as they are."""

from __future__ import annotations

import re

from ._base import ScopedRule

DOTTED = re.compile(r"\bdjango(?=\.[A-Za-z_])")


class RenamePackage(ScopedRule):
    NAME = "rename_package"
    DESCRIPTION = "rename the django package to teapot in code and dotted-path strings"

    def __init__(self, ctx):
        super().__init__(ctx)
        self.old = ctx.tables["rules"]["rename"]["from"]
        self.new = ctx.tables["rules"]["rename"]["to"]

    def start(self, module, is_package):
        super().start(module, is_package)
        self.skip: set[int] = set()  # attribute names: ``x.django`` is not the package

    def visit_Attribute(self, node):
        self.skip.add(id(node.attr))

    def leave_Name(self, original_node, updated_node):
        if updated_node.value == self.old and id(original_node) not in self.skip:
            self.ctx.counts["names renamed"] += 1
            return updated_node.with_changes(value=self.new)
        return updated_node

    def leave_SimpleString(self, original_node, updated_node):
        value = DOTTED.sub(self.new, updated_node.value)
        if value != updated_node.value:
            self.ctx.counts["strings renamed"] += 1
            return updated_node.with_changes(value=value)
        return updated_node

    def leave_FormattedStringText(self, original_node, updated_node):
        value = DOTTED.sub(self.new, updated_node.value)
        return updated_node.with_changes(value=value) if value != updated_node.value else updated_node
