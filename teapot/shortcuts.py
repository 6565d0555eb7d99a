"""Django's query shortcuts: one object or a non-empty list, else ``teapot.http.Http404``.
Hand-written (Django's module also holds render() and redirect(), which need its web stack).

Each is a coroutine. ``get_object_or_404`` and ``aget_object_or_404`` are the same call under
Django's two names (teapot's ``get()`` is awaited too), as are the list ones. The first
argument is a model class, a manager (a related one too) or a queryset; Django's messages and
exception types are kept, so code and tests written for Django behave the same.
"""

from __future__ import annotations

from teapot.http import Http404


def _queryset(klass, caller: str, needs: str):
    # Duck-typed as in Django: anything with a default manager stands for its queryset, and
    # anything with the method the shortcut calls will do.
    queryset = klass._default_manager.all() if hasattr(klass, "_default_manager") else klass
    if not hasattr(queryset, needs):
        kind = klass.__name__ if isinstance(klass, type) else type(klass).__name__
        raise ValueError(f"First argument to {caller}() must be a Model, Manager, or QuerySet, not '{kind}'.")
    return queryset


def _not_found(queryset) -> Http404:
    return Http404(f"No {queryset.model._meta.object_name} matches the given query.")


async def _object_or_404(caller: str, klass, args, kwargs):
    queryset = _queryset(klass, caller, "aget")
    try:
        return await queryset.aget(*args, **kwargs)
    except queryset.model.DoesNotExist:
        raise _not_found(queryset) from None


async def _list_or_404(caller: str, klass, args, kwargs) -> list:
    queryset = _queryset(klass, caller, "filter")
    objects = [obj async for obj in queryset.filter(*args, **kwargs)]
    if not objects:
        raise _not_found(queryset)
    return objects


async def aget_object_or_404(klass, *args, **kwargs):
    """``await klass.aget(*args, **kwargs)``, with ``Http404`` when no object matches. Several
    matches raise the model's ``MultipleObjectsReturned``."""
    return await _object_or_404("aget_object_or_404", klass, args, kwargs)


async def get_object_or_404(klass, *args, **kwargs):
    """The same as ``aget_object_or_404()``, under the name of Django's sync shortcut."""
    return await _object_or_404("get_object_or_404", klass, args, kwargs)


async def aget_list_or_404(klass, *args, **kwargs) -> list:
    """The objects of ``klass.filter(*args, **kwargs)`` as a list, or ``Http404`` when there
    are none."""
    return await _list_or_404("aget_list_or_404", klass, args, kwargs)


async def get_list_or_404(klass, *args, **kwargs) -> list:
    """The same as ``aget_list_or_404()``, under the name of Django's sync shortcut."""
    return await _list_or_404("get_list_or_404", klass, args, kwargs)
