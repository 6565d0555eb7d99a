"""``x.count()`` (no arguments) where the code stays sync (a property, a dunder, a lambda
such as a sort key) becomes ``loaded_count(x)``: the number of rows already loaded (a
prefetched relation, an evaluated queryset), which Django counts without a query, and
``AwaitRequired`` where Django would run one. teapot's ``count()`` is a coroutine, which sync
code cannot await. ``list.count()`` and ``str.count()`` take an argument and are left alone."""

from __future__ import annotations

import libcst as cst

from ._base import Context, ScopedTransformer


class _SyncCounts(ScopedTransformer):
    def __init__(self, ctx: Context):
        super().__init__(ctx)
        self.lambdas = 0

    def visit_Lambda(self, node):
        self.lambdas += 1

    def leave_Lambda(self, original_node, updated_node):
        self.lambdas -= 1
        return updated_node

    def leave_Call(self, original_node, updated_node):
        func = updated_node.func
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value == "count"
            and not updated_node.args
            and self.innermost_function() is not None
            and (self.lambdas or not self.in_async())
        ):
            self.ctx.helpers.add("loaded_count")
            return cst.Call(func=cst.Name("loaded_count"), args=[cst.Arg(value=func.value)])
        return updated_node


def apply(tree: cst.Module, ctx: Context) -> cst.Module:
    return tree.visit(_SyncCounts(ctx))
