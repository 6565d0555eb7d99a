"""An import of a module teapot does not have (``django.http``, ``django.template``,
``django.contrib.auth``..., after rename_imports: not in the generated fork nor hand-written,
and not a contrib app teapot plans: PLANNED), or of a name such a module lacks, binds each name
to ``unavailable("django.http.HttpRequest")`` (tools.conformance.shims): a stand-in that
raises a clear error when a test uses it, so the module's other tests still import and run.
It may still be a base class or a decorator at import time."""

from __future__ import annotations

import importlib
import importlib.util
from functools import lru_cache

import libcst as cst

from ._base import Context

# Modules teapot is to have: their imports stay, and fail until they exist.
PLANNED = ("teapot.contrib.contenttypes", "teapot.contrib.auth")


def django_name(name: str) -> str:
    for new, old in (("teapot.testing", "django.test"), ("teapot", "django")):
        if name == new or name.startswith(new + "."):
            return old + name[len(new) :]
    return name


@lru_cache(maxsize=None)
def module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


@lru_cache(maxsize=None)
def module_names(name: str):
    """The names a module defines (None: it could not be imported here, assume all)."""
    try:
        return frozenset(dir(importlib.import_module(name)))
    except Exception:
        return None


def _missing(module: str, name: str) -> bool:
    if not module_exists(module):
        return True
    names = module_names(module)
    if names is None or name in names:
        return False
    return not module_exists(f"{module}.{name}")  # a submodule


class _Unavailable(cst.CSTTransformer):
    def __init__(self, ctx: Context):
        super().__init__()
        self.ctx = ctx

    def leave_SimpleStatementLine(self, original_node, updated_node):
        if len(updated_node.body) != 1 or not isinstance(updated_node.body[0], cst.ImportFrom):
            return updated_node
        node = updated_node.body[0]
        if node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
            return updated_node
        module = cst.helpers.get_full_name_for_node(node.module)
        if not (module == "teapot" or module.startswith("teapot.")) or any(module == p or module.startswith(p + ".") for p in PLANNED):
            return updated_node
        kept, stand_ins = [], []
        for alias in node.names:
            name = cst.helpers.get_full_name_for_node(alias.name)
            if _missing(module, name):
                bound = alias.asname.name.value if alias.asname else name
                missing_module = module if not module_exists(module) else f"{module}.{name}"
                stand_ins.append((bound, f"{django_name(module)}.{name}", django_name(missing_module)))
            else:
                kept.append(alias)
        if not stand_ins:
            return updated_node
        self.ctx.helpers.add("unavailable")
        lines = []
        if kept:
            kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            lines.append(updated_node.with_changes(body=[node.with_changes(names=kept)]))
        for bound, full, lacking in stand_ins:
            lines.append(cst.parse_statement(f"{bound} = unavailable({full!r}, {lacking!r})"))
        lines[0] = lines[0].with_changes(leading_lines=updated_node.leading_lines)
        return cst.FlattenSentinel(lines)


def apply(tree: cst.Module, ctx: Context) -> cst.Module:
    return tree.visit(_Unavailable(ctx))
