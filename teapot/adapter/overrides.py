"""Sync overrides of methods teapot runs as coroutines: translated, or left out with a warning.
Hand-written.

A Django model's ``save()`` or ``delete()`` override becomes an ``async def`` on the teapot
class (async_translation) when the analysis proves that adding ``await`` is all it takes.
Otherwise, and for overrides of the other coroutine methods (``refresh_from_db()``,
``full_clean()``, ...), the override is left out and an AdaptWarning says why: copied as it is,
it would call teapot's coroutine without awaiting it.
"""

from __future__ import annotations

import inspect
import types

from teapot.adapter.async_translation import Translation, translate_function
from teapot.adapter.await_analysis import Subject, Untranslatable
from teapot.adapter.errors import warn
from teapot.adapter.members import SKIP

TRANSLATED_METHODS = ("save", "delete")


def is_sync_override(name: str, value) -> bool:
    """Whether ``value``, found as ``name`` in a model's class body, is a plain function
    overriding one of teapot's coroutine methods."""
    from teapot.db.models import Model

    teapot_method = getattr(Model, name, None)
    if teapot_method is None or not inspect.iscoroutinefunction(teapot_method):
        return False
    return isinstance(value, types.FunctionType) and not inspect.iscoroutinefunction(value)


def translate_override(dj_model: type, own_classes, owner: type, name: str) -> Translation:
    """The translation of ``owner.name``, the override ``dj_model`` uses; raises Untranslatable."""
    if name not in TRANSLATED_METHODS:
        raise Untranslatable(f"only {' and '.join(f'{m}()' for m in TRANSLATED_METHODS)} overrides are translated")
    others = [k.__qualname__ for k in own_classes if k is not owner and is_sync_override(name, vars(k).get(name))]
    if others:
        # The teapot class keeps one definition of each name, so super() would skip these.
        raise Untranslatable(f"{_listed(others)} override{'s' if len(others) == 1 else ''} it too, and teapot keeps one of them only")
    subject = Subject(dj_model, instance_names=frozenset({_self_name(vars(owner)[name])}))
    return translate_function(vars(owner)[name], subject, owner=owner, always_async=True)


def carried_over(dj_model: type, own_classes, owner: type, name: str, value):
    """What the teapot class gets for ``owner.name`` (``value``): ``value`` itself when it is
    not a sync override of a coroutine, its translation, or SKIP (with a warning)."""
    if not is_sync_override(name, value):
        return value
    try:
        return translate_override(dj_model, own_classes, owner, name).function
    except Untranslatable as refused:
        warn(
            f"{dj_model._meta.label}.{name}() is overridden in {owner.__qualname__} and is not carried over: "
            f"{refused.reason}. Put its logic around `await obj.{name}()`, in a signal receiver on the "
            f"teapot model, or in an async subclass.",
        )
        return SKIP


def translation_of(django_model: type, name: str) -> str:
    """The ``async def`` teapot runs for ``django_model``'s override of ``name`` (``"save"`` or
    ``"delete"``), as source text. Raises ``Untranslatable`` (its ``reason`` is the one the
    AdaptWarning gives) when teapot does not carry the override over, and LookupError when the
    model does not override ``name``."""
    from teapot.adapter.django_setup import ensure_django
    from teapot.adapter.models import own_classes

    ensure_django()
    own = own_classes(django_model)
    owner = next((k for k in own if name in vars(k)), None)
    if owner is None or not is_sync_override(name, vars(owner)[name]):
        raise LookupError(f"{django_model._meta.label} has no sync override of {name}()")
    return translate_override(django_model, own, owner, name).source


def _self_name(func) -> str:
    params = func.__code__.co_varnames[: func.__code__.co_argcount]
    return params[0] if params else "self"


def _listed(names) -> str:
    return ", ".join(names)
