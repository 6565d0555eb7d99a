"""Calls of teapot's serializers in an async function. ``serializers.serialize(format,
objects, ...)`` becomes ``await serializers.aserialize(format, objects, ...)``: teapot's
serialize() writes loaded values only, and aserialize() first runs the queries Django's
serialize() runs while it writes (the queryset, deferred fields, many-to-many values,
related objects for natural keys). A ``for`` loop over ``serializers.deserialize(...)``
becomes ``async for``: the deserializer is an async iterator, and a loop that saves each
object must save it before the next one is read (a later object may look an earlier one up
by its natural key). A serializer's own ``serialize()`` method
(``Serializer().serialize(objs)``) is left alone."""

from __future__ import annotations

import libcst as cst

from ._base import Context, ScopedTransformer, paren


def _serializers_call(node, name: str) -> bool:
    func = node.func if isinstance(node, cst.Call) else None
    return (
        isinstance(func, cst.Attribute)
        and func.attr.value == name
        and isinstance(func.value, cst.Name)
        and func.value.value == "serializers"
    )


def is_serialize_call(node: cst.Call) -> bool:
    """``serializers.serialize(...)``."""
    return _serializers_call(node, "serialize")


class _SerializerCalls(ScopedTransformer):
    def leave_Call(self, original_node, updated_node):
        if not self.in_async() or not is_serialize_call(updated_node):
            return updated_node
        func = updated_node.func.with_changes(attr=cst.Name("aserialize"))
        return paren(cst.Await(expression=updated_node.with_changes(func=func)))

    def leave_For(self, original_node, updated_node):
        if not self.in_async() or updated_node.asynchronous is not None:
            return updated_node
        if not _serializers_call(updated_node.iter, "deserialize"):
            return updated_node
        return updated_node.with_changes(asynchronous=cst.Asynchronous())


def apply(tree: cst.Module, ctx: Context) -> cst.Module:
    return tree.visit(_SerializerCalls(ctx))
