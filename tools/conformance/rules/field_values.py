"""``field.value_from_object(obj)`` in an async function becomes ``await field_value(field,
obj)``. teapot's many-to-many ``value_from_object()`` stays sync and reads prefetched objects
only; Django's runs a query when they are not prefetched, which ``field_value()`` awaits."""

from __future__ import annotations

import libcst as cst

from ._base import Context, ScopedTransformer, helper_call


class _FieldValues(ScopedTransformer):
    def leave_Call(self, original_node, updated_node):
        func = updated_node.func
        if not (
            self.in_async()
            and isinstance(func, cst.Attribute)
            and func.attr.value == "value_from_object"
            and len(updated_node.args) == 1
            and updated_node.args[0].keyword is None
            and not updated_node.args[0].star
        ):
            return updated_node
        return helper_call("field_value", [func.value, updated_node.args[0].value], self.ctx)


def apply(tree: cst.Module, ctx: Context) -> cst.Module:
    return tree.visit(_FieldValues(ctx))
