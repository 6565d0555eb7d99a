"""aget_object_or_404() and aget_list_or_404() for endpoints: those of ``teapot.shortcuts``,
with a missing object as Starlette's HTTP 404 (FastAPI's HTTPException is a subclass of it,
and its apps answer it the same way, with or without teapot's exception handlers). Hand-written."""

from __future__ import annotations

from starlette.exceptions import HTTPException

from teapot import shortcuts
from teapot.http import Http404

NOT_FOUND = "Not found."


async def aget_object_or_404(klass, *args, **kwargs):
    """``await klass.aget(*args, **kwargs)`` (a model class, a manager or a queryset), with
    HTTP 404 when no object matches. Several matches raise ``MultipleObjectsReturned``."""
    try:
        return await shortcuts.aget_object_or_404(klass, *args, **kwargs)
    except Http404:
        raise HTTPException(status_code=404, detail=NOT_FOUND) from None


async def aget_list_or_404(klass, *args, **kwargs) -> list:
    """The objects of ``klass.filter(*args, **kwargs)`` as a list, or HTTP 404 when there
    are none."""
    try:
        return await shortcuts.aget_list_or_404(klass, *args, **kwargs)
    except Http404:
        raise HTTPException(status_code=404, detail=NOT_FOUND) from None
