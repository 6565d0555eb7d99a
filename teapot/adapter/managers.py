"""Custom Django managers and querysets -> teapot ones. Hand-written.

The methods of a custom Manager or QuerySet class (and of ``as_manager()`` /
``from_queryset()`` managers) are copied onto a subclass of teapot's Manager / QuerySet, so
those that build queries build teapot queries. A method of Django's own contrib managers that
does I/O has a teapot version in ``REPLACEMENTS``.
"""

from __future__ import annotations

import types

from teapot.adapter.members import class_members, warn_io_calls
from teapot.adapter.translate import translate


def _replacements():
    from teapot.adapter import auth

    return auth.REPLACEMENTS


def _own_classes(cls):
    """The classes of ``cls``'s MRO whose members are copied: not Django's ORM, not object."""
    return [
        klass
        for klass in cls.__mro__
        if klass is not object and not klass.__module__.startswith("django.db.")
    ]


_queryset_classes: dict[type, type] = {}
_manager_classes: dict[type, type] = {}


def queryset_class(dj_queryset_class):
    """teapot's QuerySet subclass for a Django QuerySet class (teapot's QuerySet for Django's)."""
    from teapot.db.models import QuerySet

    found = _queryset_classes.get(dj_queryset_class)
    if found is None:
        own = _own_classes(dj_queryset_class)
        if not own:
            found = QuerySet
        else:
            found = _build(dj_queryset_class, (QuerySet,), own)
        _queryset_classes[dj_queryset_class] = found
    return found


def manager_class(dj_manager_class):
    """teapot's Manager subclass for a Django Manager class."""
    from teapot.db.models import Manager
    from teapot.db.models.manager import BaseManager

    found = _manager_classes.get(dj_manager_class)
    if found is None:
        qs = queryset_class(getattr(dj_manager_class, "_queryset_class", None) or _django_queryset())
        base = Manager if qs.__module__.startswith("teapot.") else BaseManager.from_queryset(qs)
        own = _own_classes(dj_manager_class)
        found = _build(dj_manager_class, (base,), own) if own else base
        _manager_classes[dj_manager_class] = found
    return found


def _django_queryset():
    from django.db.models import QuerySet

    return QuerySet


def _build(dj_class, bases, own):
    cell = types.CellType()
    label = dj_class.__qualname__
    members = class_members(own, cell, replacements=_replacements())
    for name, value in members.items():
        warn_io_calls(label, name, value)
    namespace = {"__module__": dj_class.__module__, "__qualname__": dj_class.__qualname__, "__doc__": dj_class.__doc__}
    namespace.update(members)
    cls = type(dj_class.__name__, bases, namespace)
    cell.cell_contents = cls
    return cls


def manager_from_django(dj_manager):
    """A teapot manager instance doing what ``dj_manager`` does."""
    cls = manager_class(type(dj_manager))
    args, kwargs = getattr(dj_manager, "_constructor_args", ((), {}))
    manager = cls(*translate(list(args)), **translate(dict(kwargs)))
    return manager
