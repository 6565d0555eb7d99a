"""Signals sent from async code are awaited: ``pre_save.send(...)`` -> ``await pre_save.asend(...)``."""

from __future__ import annotations

import libcst as cst

from tools.libcst_toolkit import dotted

from ._base import ScopedRule


class SignalAsend(ScopedRule):
    NAME = "signal_asend"
    DESCRIPTION = "model signals sent from coroutines use Signal.asend"

    def __init__(self, ctx):
        super().__init__(ctx)
        self.signals = set(ctx.tables["rules"]["async_signals"])
        self.hit: set[str] = set()

    def leave_Call(self, original_node, updated_node):
        func = original_node.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "send"):
            return updated_node
        if not self.in_async_func():
            return updated_node
        name = dotted(func.value)
        qual = self.graph.resolve_symbol(self.module, name) if name else None
        if qual not in self.signals:
            return updated_node
        self.hit.add(qual)
        self.ctx.counts["signal sends awaited"] += 1
        return cst.Await(
            expression=updated_node.with_changes(func=updated_node.func.with_changes(attr=cst.Name("asend")))
        )

    def unused(self):
        return [f"async_signals {s}" for s in sorted(self.signals - self.hit)]
