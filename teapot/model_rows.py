"""Instances without running ``Model.__init__`` where it would do nothing but store the values:
from database rows, and from keyword values (``Model(**values)``, ``create(**values)``).

Building an instance through upstream's ``Model.__init__`` sends ``pre_init`` and
``post_init``, walks the fields and sets each value through its descriptor. For a model whose
``__init__`` and ``__setattr__`` are Django's, whose fields' descriptors only store their
value, and whose init signals have no receiver for it, that is the same as putting the values
in the instance's ``__dict__``: ``Model.from_db`` then does so for a row that has every
concrete field, and ``Model(**values)`` (teapot's ``__init__``, before upstream's) for keyword
values that are all fields' attnames (the fields not named get their defaults, in the fields'
order, as upstream's ``__init__`` gives them).
"""

from __future__ import annotations

import inspect

_STORING_DESCRIPTORS: frozenset = frozenset()
_direct_attnames: dict = {}  # model class -> its concrete fields' attnames, or None
_keyword_plans: dict = {}  # model class -> (attname, field) pairs and their attnames, or None


def direct_attnames(cls):
    """The attnames to store a full row's values under, in the concrete fields' order; or
    ``None`` when ``cls`` needs ``__init__`` (it or a field does more than store values)."""
    try:
        attnames = _direct_attnames[cls]
    except KeyError:
        attnames = _direct_attnames[cls] = _attnames_if_direct(cls)
    if attnames is None or not (_silent(_pre_init, cls) and _silent(_post_init, cls)):
        return None
    return attnames


def instance(cls, attnames, db, values):
    """An instance of ``cls`` loaded from ``db`` with ``values`` under ``attnames``."""
    new = cls.__new__(cls)
    state = _ModelState()
    state.adding = False
    state.db = db
    attributes = new.__dict__
    attributes["_state"] = state
    attributes.update(zip(attnames, values))
    return new


def fill_new(new, values) -> bool:
    """Give ``new``, an instance of a model fresh from ``__new__``, the state and the values
    ``Model.__init__(**values)`` would give it (``values``: attname -> value, the other fields
    their defaults) and return True; or return False, having done nothing, where ``__init__``
    must run (a name that is not a field's attname, such as a related object, a property or
    an unknown name; a model or field that does more than store values)."""
    cls = type(new)
    try:
        plan = _keyword_plans[cls]
    except KeyError:
        plan = _keyword_plans[cls] = _keyword_plan(cls)
    if plan is None or not (_silent(_pre_init, cls) and _silent(_post_init, cls)):
        return False
    fields, attnames = plan
    if not attnames.issuperset(values):
        return False
    for value in values.values():
        if value is DEFERRED:  # __init__ leaves such a field unset
            return False
    attributes = new.__dict__
    attributes["_state"] = _ModelState()
    for attname, field in fields:
        attributes[attname] = values[attname] if attname in values else field.get_default()
    return True


def _keyword_plan(cls):
    # The fields __init__ sets from keywords or defaults (it skips those without a column and
    # generated ones), each under its attname; None where __init__ must run.
    if cls._meta.abstract or _attnames_if_direct(cls) is None:
        return None
    fields = [f for f in cls._meta.fields if f.column is not None and not f.generated]
    if any(not f.concrete for f in fields):
        return None
    pairs = tuple((f.attname, f) for f in fields)
    return pairs, frozenset(attname for attname, _ in pairs)


def _silent(signal, sender):
    # Signal.send() returns at once in the same case; the cache is filled by a first send.
    return not signal.receivers or signal.sender_receivers_cache.get(sender) is _NO_RECEIVERS


def _attnames_if_direct(cls):
    from teapot.db.models.base import Model

    _import_late_names()
    if cls.__setattr__ is not object.__setattr__:
        return None
    if any("__init__" in vars(klass) for klass in cls.__mro__ if klass not in (Model, object)):
        return None
    attnames = tuple(field.attname for field in cls._meta.concrete_fields)
    for name in attnames:
        if type(inspect.getattr_static(cls, name, None)) not in _STORING_DESCRIPTORS:
            return None
    return attnames


def _import_late_names():
    # teapot.db.models.base imports this module: its names are read once it is loaded.
    global _STORING_DESCRIPTORS, _ModelState, _pre_init, _post_init, _NO_RECEIVERS, DEFERRED
    if _STORING_DESCRIPTORS:
        return
    from teapot.db.models.base import DEFERRED, ModelState
    from teapot.db.models.fields.files import FileDescriptor
    from teapot.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
    from teapot.db.models.query_utils import DeferredAttribute
    from teapot.db.models.signals import post_init, pre_init
    from teapot.dispatch.dispatcher import NO_RECEIVERS

    _ModelState, _pre_init, _post_init, _NO_RECEIVERS = ModelState, pre_init, post_init, NO_RECEIVERS
    # Each stores the value in the instance's __dict__ and nothing else (FileDescriptor's
    # __set__ does exactly that; ImageField's descriptor also updates dimensions: not here).
    _STORING_DESCRIPTORS = frozenset({DeferredAttribute, ForeignKeyDeferredAttribute, FileDescriptor})


_ModelState = _pre_init = _post_init = _NO_RECEIVERS = DEFERRED = None
