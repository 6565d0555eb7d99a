"""aget_object_or_404() and aget_list_or_404(): a missing object becomes Starlette's HTTP 404
(FastAPI's HTTPException is a subclass of it, and its apps answer it the same way).
Hand-written; teapot has no django.shortcuts, which raises Django's Http404."""

from __future__ import annotations

from starlette.exceptions import HTTPException

from teapot.db.models import Manager, Model, QuerySet

NOT_FOUND = "Not found."


def _queryset(klass, caller: str) -> QuerySet:
    if isinstance(klass, QuerySet):
        return klass
    if isinstance(klass, Manager):
        return klass.all()
    if isinstance(klass, type) and issubclass(klass, Model):
        return klass._default_manager.all()
    raise ValueError(f"{caller}() takes a model class, a manager or a queryset, not {type(klass).__name__!r}")


async def aget_object_or_404(klass, *args, **kwargs):
    """``await klass.aget(*args, **kwargs)`` (a model class, a manager or a queryset), with
    HTTP 404 when no object matches. Several matches raise ``MultipleObjectsReturned``."""
    queryset = _queryset(klass, "aget_object_or_404")
    try:
        return await queryset.aget(*args, **kwargs)
    except queryset.model.DoesNotExist:
        raise HTTPException(status_code=404, detail=NOT_FOUND) from None


async def aget_list_or_404(klass, *args, **kwargs) -> list:
    """The objects of ``klass.filter(*args, **kwargs)`` as a list, or HTTP 404 when there
    are none."""
    queryset = _queryset(klass, "aget_list_or_404")
    objects = await queryset.filter(*args, **kwargs)
    if not objects:
        raise HTTPException(status_code=404, detail=NOT_FOUND)
    return objects
