"""adapt() is all or nothing: what a failed call registered is taken back. Hand-written.

Building a teapot class touches more than the class: teapot's app registry (app configs,
models, lazy operations waiting for a related model), the attributes of the classes it relates
to (reverse accessors such as ``user.order_set``), the adapter's own maps (Django class ->
teapot class, the module globals copied methods run with), and the receivers connected to
teapot's model signals. ``all_or_nothing()`` records them
before the call and puts them back when it raises.
"""

from __future__ import annotations

from contextlib import contextmanager

from teapot.adapter import fields, managers, members


class _Snapshot:
    def __init__(self):
        from teapot.apps import apps

        self.app_configs = dict(apps.app_configs)
        self.all_models = {label: dict(models) for label, models in apps.all_models.items()}
        self.pending = {key: list(operations) for key, operations in apps._pending_operations.items()}
        # Every class a new relation may add a reverse accessor to.
        self.class_attributes = {
            model: dict(vars(model)) for models in apps.all_models.values() for model in models.values()
        }
        self.adapted_classes = dict(members.adapted_classes)
        self.module_globals = {key: (entry, dict(entry[1])) for key, entry in members._module_globals.items()}
        self.caches = [(cache, dict(cache)) for cache in _adapter_caches()]
        self.receivers = [(signal, list(signal.receivers)) for signal in _model_signals()]

    def restore(self):
        from teapot.apps import apps

        apps.app_configs.clear()
        apps.app_configs.update(self.app_configs)
        # In place: app configs and copied functions hold these very dicts.
        for label in list(apps.all_models):
            if label in self.all_models:
                apps.all_models[label].clear()
                apps.all_models[label].update(self.all_models[label])
            else:
                del apps.all_models[label]
        apps._pending_operations.clear()
        apps._pending_operations.update(self.pending)
        for model, attributes in self.class_attributes.items():
            for name in set(vars(model)) - set(attributes):
                delattr(model, name)
            for name, value in attributes.items():
                if vars(model).get(name, _MISSING) is not value:
                    setattr(model, name, value)
        members.adapted_classes.clear()
        members.adapted_classes.update(self.adapted_classes)
        members._module_globals.clear()
        for key, (entry, saved) in self.module_globals.items():
            entry[1].clear()
            entry[1].update(saved)
            members._module_globals[key] = entry
        for cache, saved in self.caches:
            cache.clear()
            cache.update(saved)
        for signal, saved in self.receivers:
            with signal.lock:
                signal.receivers[:] = saved
                signal.sender_receivers_cache.clear()
        apps.clear_cache()  # forget the relation trees that included the classes taken back


_MISSING = object()


def _model_signals():
    """teapot's model signals, which adapt() connects the Django receivers' translations to."""
    from teapot.adapter.receivers import CARRIED_SIGNALS
    from teapot.db.models import signals

    return [getattr(signals, name) for name in CARRIED_SIGNALS]


def _adapter_caches():
    return [managers._queryset_classes, managers._manager_classes, fields._delegating_classes]


@contextmanager
def all_or_nothing():
    """Run an adapt() call; if it raises, leave teapot as it was before the call."""
    snapshot = _Snapshot()
    try:
        yield
    except BaseException:
        snapshot.restore()
        raise
