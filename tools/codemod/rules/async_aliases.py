"""Django's ``a*`` twins (``return await sync_to_async(self.get)(...)``) call the now-native
function directly: ``aget`` stays, as an alias that awaits ``get`` on the same task.

A twin whose target the colouring leaves sync keeps its ``sync_to_async`` wrapper and is
reported as a warning: awaiting a plain value would fail at run time.
"""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m

from ..callgraph import COROUTINE
from ._base import ScopedRule

TWIN = m.Return(
    value=m.Await(
        expression=m.Call(
            func=m.Call(func=m.Name("sync_to_async"), args=[m.Arg(value=m.Attribute() | m.Name())])
        )
    )
)


class AsyncAliases(ScopedRule):
    NAME = "async_aliases"
    DESCRIPTION = "a* functions that wrap a coroutine-coloured function in sync_to_async await it directly"

    def leave_Return(self, original_node, updated_node):
        if not m.matches(updated_node, TWIN):
            return updated_node
        outer = updated_node.value.expression
        target = outer.func.args[0].value
        targets = self.graph.resolve_call(target, self.scope())
        if not targets or any(self.graph.colour.get(t) != COROUTINE for t in targets):
            self.ctx.warnings.append(f"{self.current_func()}: twin of a function that stays sync, left on sync_to_async")
            return updated_node
        self.ctx.counts["a* twins made aliases"] += 1
        return updated_node.with_changes(value=cst.Await(expression=outer.with_changes(func=target)))
