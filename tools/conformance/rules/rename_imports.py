"""Django's modules become teapot's: ``django.test`` -> ``teapot.testing`` (its ``utils`` and
``testcases`` too; ``from django import test`` imports ``teapot.testing`` as ``test``), ``django.contrib.contenttypes`` -> ``teapot.contrib.contenttypes``, any
other ``django.X`` -> ``teapot.X``; in imports, names and dotted-path strings. A string that
is one of Django's ENGINE names becomes the async backend teapot maps it to
(``"django.db.backends.sqlite3"`` -> ``"teapot.backends.aiosqlite"``), as ``teapot.setup`` does."""

from __future__ import annotations

import re

import libcst as cst

from teapot.configure import DJANGO_ENGINES

from ._base import Context

PREFIXES = [
    ("django.test", "teapot.testing"),
    ("teapot.test", "teapot.testing"),  # names are renamed before the import that holds them
    ("django", "teapot"),
]
DOTTED = re.compile(r"\bdjango(\.test\b)?(?=\.[A-Za-z_]|\b)")


def rename_module(name: str) -> str:
    for old, new in PREFIXES:
        if name == old or name.startswith(old + "."):
            return new + name[len(old) :]
    return name


def _string(match):
    return "teapot.testing" if match.group(1) else "teapot"


def _module_node(name: str):
    parts = name.split(".")
    node = cst.Name(parts[0])
    for part in parts[1:]:
        node = cst.Attribute(value=node, attr=cst.Name(part))
    return node


def _test_module(alias: cst.ImportAlias) -> cst.ImportAlias:
    """``from django import test`` binds ``test`` to teapot.testing: ``import testing as test``."""
    if not (isinstance(alias.name, cst.Name) and alias.name.value == "test"):
        return alias
    asname = alias.asname or cst.AsName(name=cst.Name("test"))
    return alias.with_changes(name=cst.Name("testing"), asname=asname)


class _Rename(cst.CSTTransformer):
    def __init__(self):
        super().__init__()
        self.in_import = 0

    def leave_ImportFrom(self, original_node, updated_node):
        if updated_node.module is None or updated_node.relative:
            return updated_node
        name = cst.helpers.get_full_name_for_node(updated_node.module)
        if name in ("django", "teapot") and not isinstance(updated_node.names, cst.ImportStar):
            updated_node = updated_node.with_changes(names=[_test_module(alias) for alias in updated_node.names])
        new = rename_module(name)
        if new == name:
            return updated_node
        return updated_node.with_changes(module=_module_node(new))

    def leave_ImportAlias(self, original_node, updated_node):
        name = cst.helpers.get_full_name_for_node(updated_node.name)
        new = rename_module(name)
        if new == name:
            return updated_node
        return updated_node.with_changes(name=_module_node(new))

    def leave_Attribute(self, original_node, updated_node):
        # django.test.X / django.db.X in code (after `import django...`)
        name = cst.helpers.get_full_name_for_node(updated_node)
        if name and any(name == p or name.startswith(p + ".") for p in ("django.test", "teapot.test")):
            return _module_node(rename_module(name))
        return updated_node

    def leave_Name(self, original_node, updated_node):
        if updated_node.value == "django":
            return updated_node.with_changes(value="teapot")
        return updated_node

    def leave_SimpleString(self, original_node, updated_node):
        value = updated_node.value
        if "django" not in value:
            return updated_node
        engine = DJANGO_ENGINES.get(updated_node.evaluated_value)
        if engine is not None:
            return updated_node.with_changes(value=updated_node.prefix + updated_node.quote + engine + updated_node.quote)
        new = DOTTED.sub(lambda m: _string(m) if _followed_by_dot(m, value) else m.group(0), value)
        return updated_node.with_changes(value=new)


def _followed_by_dot(match, value):
    end = match.end()
    return end < len(value) and value[end] == "."


def apply(tree: cst.Module, ctx: Context) -> cst.Module:
    return tree.visit(_Rename())
