"""Instances from database rows, without running ``Model.__init__`` where it would do nothing
but store the values.

Building an instance of a row through ``Model.__init__`` sends ``pre_init`` and
``post_init``, walks the fields and sets each value through its descriptor. For a model
whose ``__init__`` and ``__setattr__`` are Django's, whose fields' descriptors only store
their value, and whose init signals have no receiver for it, that is the same as putting
the values in the instance's ``__dict__``, which ``Model.from_db`` then does for a row that
has every concrete field.
"""

from __future__ import annotations

import inspect

_STORING_DESCRIPTORS: frozenset = frozenset()
_direct_attnames: dict = {}  # model class -> its concrete fields' attnames, or None


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
    global _STORING_DESCRIPTORS, _ModelState, _pre_init, _post_init, _NO_RECEIVERS
    if _STORING_DESCRIPTORS:
        return
    from teapot.db.models.base import ModelState
    from teapot.db.models.fields.files import FileDescriptor
    from teapot.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
    from teapot.db.models.query_utils import DeferredAttribute
    from teapot.db.models.signals import post_init, pre_init
    from teapot.dispatch.dispatcher import NO_RECEIVERS

    _ModelState, _pre_init, _post_init, _NO_RECEIVERS = ModelState, pre_init, post_init, NO_RECEIVERS
    # Each stores the value in the instance's __dict__ and nothing else (FileDescriptor's
    # __set__ does exactly that; ImageField's descriptor also updates dimensions: not here).
    _STORING_DESCRIPTORS = frozenset({DeferredAttribute, ForeignKeyDeferredAttribute, FileDescriptor})


_ModelState = _pre_init = _post_init = _NO_RECEIVERS = None
