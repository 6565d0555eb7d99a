"""Django's ``a*`` twins (``return await sync_to_async(self.get)(...)``) call the now-native
method directly: ``aget`` stays, as an alias that awaits ``get`` on the same task."""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m

from ._base import Rule

TWIN = m.Return(
    value=m.Await(
        expression=m.Call(func=m.Call(func=m.Name("sync_to_async"), args=[m.Arg(value=m.Attribute())]))
    )
)


class AsyncAliases(Rule):
    NAME = "async_aliases"
    DESCRIPTION = "a* methods that wrap a sync method in sync_to_async await it directly"

    def transform(self, module, tree, is_package):
        ctx = self.ctx

        class Alias(cst.CSTTransformer):
            def leave_Return(self, original_node, updated_node):
                if not m.matches(updated_node, TWIN):
                    return updated_node
                outer = updated_node.value.expression
                target = outer.func.args[0].value
                ctx.counts["a* twins made aliases"] += 1
                return updated_node.with_changes(
                    value=cst.Await(expression=outer.with_changes(func=target))
                )

        return tree.visit(Alias())
