"""Facts before transforms: which functions of the snapshot do I/O, and in which colour.

Every function and class of the pruned snapshot is indexed by a qualified name built from
its module and its enclosing classes and functions (``django.db.models.query.QuerySet.get``;
a class made inside a function reads ``...create_forward_many_to_many_manager.ManyRelatedManager``).

Colours:

* ``coroutine``: becomes ``async def``; its call sites get ``await``.
* ``aiter``: a generator that does I/O; becomes an async generator, consumed with ``async for``.

The colouring starts from the I/O seeds of ``tables/colouring.toml`` and from the colours of
the hand-written overrides, then spreads to callers until nothing changes. A call is resolved
to its possible targets by ``CallGraph.resolve_call`` (receiver typing, class-hierarchy
dispatch, imports); the rules in ``rules/`` use the same resolution, so the facts and the
rewrite agree.
"""

from __future__ import annotations

import libcst as cst

from .graph.calls import CallsMixin
from .graph.colouring import ColouringMixin
from .graph.hierarchy import HierarchyMixin
from .graph.index import (  # noqa: F401  (the names the rules and tests import from here)
    AITER,
    BUILTIN_NAMES,
    CONSUMERS,
    CONTEXTMANAGER_DECORATORS,
    COROUTINE,
    PROPERTY_DECORATORS,
    Func,
    Klass,
    Scope,
    _Indexer,
    decorator_names,
    dotted,
)
from .graph.reports import ReportsMixin
from .graph.types import TypesMixin


class CallGraph(HierarchyMixin, TypesMixin, CallsMixin, ColouringMixin, ReportsMixin):
    """The index of the snapshot plus the colouring computed over it.

    The index is built here (``add_module``, ``add_new_method``); the rest comes from the
    mixins of ``graph/``."""

    def __init__(self, tables: dict):
        self.tables = tables
        self.funcs: dict[str, Func] = {}
        self.classes: dict[str, Klass] = {}
        self.imports: dict[str, dict[str, str]] = {}
        self.star_imports: dict[str, list[str]] = {}
        self.module_defs: dict[str, dict[str, str]] = {}
        self.local_defs: dict[str, dict[str, str]] = {}
        self.func_nodes: dict[int, str] = {}
        self.class_nodes: dict[int, str] = {}
        self.lambda_calls: list = []
        self.subclasses: dict[str, set[str]] = {}
        self.colour: dict[str, str] = {}
        self.fixed: dict[str, str | None] = {}  # overrides: qualname -> colour or None (sync)
        self.reasons: dict[str, str] = {}
        self.used_entries: set[tuple[str, str]] = set()
        typing = tables.get("receiver_types", {})
        self.receiver_types: dict[str, list[str]] = {k: list(v) for k, v in typing.items()}
        # Receivers whose methods' returns are trusted over the name-based typing of the call.
        self.exact_receivers: set[str] = set(tables.get("exact_receivers", ()))
        # Methods whose return the table states (their own returns name the driver's object).
        self.returns: dict[str, str] = dict(tables.get("returns", {}))
        self.ambiguous = set(tables.get("ambiguous_method_names", []))
        self.keep_sync = set(tables.get("keep_sync", []))
        self.driver_calls: dict[str, dict[str, list[str]]] = tables.get("driver_calls", {})
        self.dynamic_bases: dict[str, list[str]] = tables.get("dynamic_bases", {})
        self._types: dict = {}
        self.protocol_methods = set(tables.get("protocol_methods", []))
        self.awaited_constructions = set(tables.get("awaited_constructions", []))
        # Signals sent with Signal.asend (rules.toml async_signals): a function that sends one
        # is a coroutine, since its receivers may do I/O (post_migrate's create_permissions).
        self.async_signals = set(tables.get("async_signals", []))
        self._awaited_by_name = {q.rpartition(".")[2]: q for q in self.awaited_constructions}

    def add_module(self, module: str, tree: cst.Module, is_package: bool) -> None:
        tree.visit(_Indexer(self, module, is_package))

    def add_new_method(self, qual: str, node: cst.FunctionDef) -> None:
        """A method an override adds (``CursorWrapper.fetchone``): dispatch must find it."""
        cls_qual, _, name = qual.rpartition(".")
        klass = self.classes.get(cls_qual)
        if klass is None or not isinstance(node, cst.FunctionDef):
            return
        self.funcs[qual] = Func(qual, klass.module, cls_qual, name, node, None)
        klass.methods.setdefault(name, []).append(qual)
