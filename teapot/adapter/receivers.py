"""Django signal receivers of an adapted model -> receivers of its teapot class. Hand-written.

For each receiver the project connected to one of Django's model signals with the Django model
as sender (``@receiver(post_save, sender=Order)``), teapot connects, with the teapot class as
sender, to teapot's signal of the same name:

- the receiver as it is (with the module's teapot globals), when no call in it needs awaiting;
- an ``async def`` translation (async_translation), when the analysis proves that awaiting
  teapot's coroutines is all it takes; teapot awaits async receivers of the signals it sends
  with ``asend()``: every model signal but ``pre_init`` and ``post_init``;
- nothing otherwise: an AdaptWarning names the receiver, the signal and the reason.

Receivers connected without a sender (they hear every model) and ``m2m_changed`` receivers
(their sender is a through model, their ``instance`` either side) are not carried over; Django's
own receivers (a field's, say) are not either: teapot's fields connect their own.
"""

from __future__ import annotations

import types
import weakref

from teapot.adapter.async_translation import Translation, translate_function
from teapot.adapter.await_analysis import Subject, Untranslatable
from teapot.adapter.errors import warn
from teapot.adapter.members import copy_function

CARRIED_SIGNALS = ("pre_init", "post_init", "pre_save", "post_save", "pre_delete", "post_delete")
# teapot sends these with send(), from sync code (a model's __init__): no coroutine can run.
SYNC_SIGNALS = frozenset({"pre_init", "post_init"})
LISTED_SIGNALS = ("m2m_changed",)


def django_receivers(signal, sender) -> list:
    """The live receivers connected to Django's ``signal`` with ``sender`` as the sender."""
    found = []
    for entry in signal.receivers:  # (key, receiver) on Django 4.2, (key, receiver, is_async) later
        (_, sender_key), receiver = entry[0], entry[1]
        if sender_key != id(sender):
            continue
        if isinstance(receiver, weakref.ReferenceType):
            receiver = receiver()
        if receiver is not None:
            found.append(receiver)
    return found


def _is_djangos(receiver) -> bool:
    module = getattr(receiver, "__module__", None) or ""
    return module == "django" or module.startswith("django.")


def _name(receiver) -> str:
    return f"{getattr(receiver, '__module__', '?')}.{getattr(receiver, '__qualname__', repr(receiver))}"


def translate_receiver(receiver, dj_model: type, signal_name: str) -> Translation:
    """The translation of ``receiver`` for ``dj_model``'s teapot class; raises Untranslatable."""
    if not isinstance(receiver, types.FunctionType):
        raise Untranslatable(f"it is a {type(receiver).__name__}, not a function")
    params = set(receiver.__code__.co_varnames[: receiver.__code__.co_argcount + receiver.__code__.co_kwonlyargcount])
    subject = Subject(
        dj_model,
        instance_names=frozenset({"instance"} & params),
        class_names=frozenset({"sender"} & params),
        receiver=True,
    )
    translation = translate_function(receiver, subject)
    if translation.awaits and signal_name in SYNC_SIGNALS:
        raise Untranslatable(f"it does I/O, and teapot sends {signal_name} from sync code, where nothing can be awaited")
    return translation


def connect_receivers(dj_model: type, teapot_model: type) -> None:
    """Connect to teapot's signals what can be carried over of the receivers of ``dj_model``;
    warn about the others."""
    from django.db.models import signals as django_signals

    from teapot.db.models import signals as teapot_signals

    label = dj_model._meta.label
    for signal_name in CARRIED_SIGNALS:
        for receiver in django_receivers(getattr(django_signals, signal_name), dj_model):
            if _is_djangos(receiver):
                continue
            try:
                translation = translate_receiver(receiver, dj_model, signal_name)
            except Untranslatable as refused:
                warn(
                    f"{_name(receiver)}, a {signal_name} receiver of {label}, is not connected to teapot's "
                    f"{label}: {refused.reason}. Connect a receiver of your own to "
                    f"teapot.db.models.signals.{signal_name} for it."
                )
                continue
            function = copy_function(translation.function, None)  # the module's teapot globals
            # weak=False: nothing else holds the copy, and a weak reference would drop it at once.
            getattr(teapot_signals, signal_name).connect(function, sender=teapot_model, weak=False)
    # m2m_changed is sent by the through model, auto-created ones included.
    throughs = [dj_model] + [
        f.remote_field.through for f in dj_model._meta.local_many_to_many if f.remote_field.through._meta.auto_created
    ]
    for signal_name in LISTED_SIGNALS:
        for receiver in (r for through in throughs for r in django_receivers(getattr(django_signals, signal_name), through)):
            if not _is_djangos(receiver):
                warn(
                    f"{_name(receiver)}, a {signal_name} receiver of {label}, is not connected to teapot's "
                    f"{label}: teapot does not carry {signal_name} receivers over. Connect a receiver of "
                    f"your own to teapot.db.models.signals.{signal_name} for it."
                )


def translation_of(django_model: type, receiver) -> str:
    """The code teapot connects for ``receiver``, a receiver of one of ``django_model``'s
    signals; raises Untranslatable when it connects nothing, LookupError when ``receiver`` is
    not connected with ``django_model`` as sender."""
    from django.db.models import signals as django_signals

    from teapot.adapter.django_setup import ensure_django

    ensure_django()
    for signal_name in CARRIED_SIGNALS:
        if receiver in django_receivers(getattr(django_signals, signal_name), django_model):
            return translate_receiver(receiver, django_model, signal_name).source
    raise LookupError(f"{_name(receiver)} is not a receiver of {django_model._meta.label}'s model signals")
