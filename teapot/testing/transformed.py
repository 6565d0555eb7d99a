"""Helpers that tests transformed to async call where Django's tests rely on a sync protocol
doing I/O (tools/conformance/). Hand-written; each helper leaves other values alone."""

from __future__ import annotations

import inspect

from teapot.errors import AwaitRequired

__all__ = ["aw", "ecall", "ev", "ev_item", "load"]


def _querysets():
    from teapot.db.models.query import QuerySet, RawQuerySet

    return QuerySet, RawQuerySet


async def aw(value):
    """The awaited result of a call whose name is a coroutine method of teapot (``get``,
    ``update``, ``add``, ...) and also a method of other types (``dict.get``, ``set.add``):
    awaited when it is an awaitable that is not a queryset."""
    if inspect.isawaitable(value) and not isinstance(value, _querysets()):
        return await value
    return value


async def ev(value):
    """A queryset evaluated (a list of its results), for iteration, ``len()``, ``list()``,
    ``in`` and assertions on it; anything else as it is."""
    querysets = _querysets()
    if isinstance(value, querysets[0]):
        if value._result_cache is None or (value._prefetch_related_lookups and not value._prefetch_done):
            await value
        return value
    if isinstance(value, querysets[1]) or (hasattr(value, "__aiter__") and not hasattr(value, "__iter__")):
        return [item async for item in value]
    return value


async def ev_item(value, index):
    """``value[index]``; on an unevaluated queryset, the query for that one row."""
    querysets = _querysets()
    if isinstance(value, querysets[0]) and not isinstance(index, slice) and value._result_cache is None:
        if isinstance(index, int) and index >= 0:
            rows = await value[index : index + 1]
            if not rows:
                raise IndexError("list index out of range")
            return rows[0]
        await value
    elif isinstance(value, querysets[1]):
        return [item async for item in value][index]
    return value[index]


async def load(obj, name):
    """``obj.name``, loading a relation or a deferred field that is not loaded yet (what
    Django does behind a lazy attribute access)."""
    try:
        return getattr(obj, name)
    except AwaitRequired:
        pass
    meta = getattr(obj, "_meta", None)
    field = None
    if meta is not None:
        try:
            field = meta.get_field(name)
        except Exception:
            field = next((f for f in meta.concrete_fields if f.attname == name), None)
    if field is not None and getattr(field, "concrete", False) and not field.is_relation:
        await obj.refresh_from_db(fields=[field.attname])
    elif field is not None and field.is_relation and field.concrete and name in obj.get_deferred_fields():
        await obj.refresh_from_db(fields=[field.attname])
        if not getattr(field, "many_to_many", False):
            try:
                return getattr(obj, name)
            except AwaitRequired:
                from teapot.db.models import prefetch_related_objects

                await prefetch_related_objects([obj], name)
    else:
        from teapot.db.models import prefetch_related_objects

        await prefetch_related_objects([obj], name)
    return getattr(obj, name)


async def ecall(func, *args):
    """``func(*args)`` with querysets among ``args`` evaluated first: a lambda's
    ``list(qs)`` becomes ``ecall(list, qs)``, an awaitable its caller awaits."""
    return func(*[await ev(arg) for arg in args])
