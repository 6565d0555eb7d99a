"""``with`` over an async context manager becomes ``async with``.

An item is async when it calls a coloured function (a coroutine such as ``cursor()``, or an
``@asynccontextmanager``), a factory listed in ``async_context_factories`` (``atomic()``,
``schema_editor()``), or builds a class whose ``__enter__``/``__exit__`` are coloured.
"""

from __future__ import annotations

import libcst as cst

from tools.libcst_toolkit import dotted

from ._base import ScopedRule


class AsyncWith(ScopedRule):
    NAME = "async_with"
    DESCRIPTION = "with over async context managers becomes async with"

    def __init__(self, ctx):
        super().__init__(ctx)
        self.factories = set(ctx.tables["rules"]["async_context_factories"])
        self.hit: set[str] = set()

    def is_async_item(self, expr, scope, graph) -> bool:
        if isinstance(expr, cst.Name) and scope.func in graph.funcs:
            # ``with context_manager:`` after ``context_manager = atomic(...)`` in a branch:
            # the other branches' managers must support ``async with`` too.
            values = graph.funcs[scope.func].assigns.get(expr.value, ())
            return any(self.is_async_item(v, scope, graph) for v in values)
        if isinstance(expr, cst.IfExp):
            # ``atomic(...) if connection.in_atomic_block else nullcontext()``: nullcontext
            # supports ``async with`` as well.
            return self.is_async_item(expr.body, scope, graph) or self.is_async_item(expr.orelse, scope, graph)
        if not isinstance(expr, cst.Call):
            return False
        if graph.call_colour(expr, scope):
            return True
        for target in graph.resolve_call(expr.func, scope):
            if target in self.factories:
                self.hit.add(target)
                return True
        cls = graph.class_of_call(expr, scope)
        return bool(cls and graph.is_async_cm_class(cls))

    def leave_With(self, original_node, updated_node):
        if not self.in_async_func() or updated_node.asynchronous:
            return updated_node
        flags = [self.is_async_item(i.item, self.scope(), self.graph) for i in original_node.items]
        if not any(flags):
            return updated_node
        if not all(flags):
            names = [dotted(getattr(i.item, "func", i.item)) for i in original_node.items]
            self.ctx.warnings.append(f"{self.current_func()}: with mixes sync and async items {names}")
            return updated_node
        self.ctx.counts["async with"] += 1
        return updated_node.with_changes(asynchronous=cst.Asynchronous())

    def unused(self):
        return [f"async_context_factories {f}" for f in sorted(self.factories - self.hit)]
