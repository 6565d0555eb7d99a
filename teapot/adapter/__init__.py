"""teapot.adapt(): teapot model classes from a Django project's own model classes.
Hand-written.

    teapot.setup(from_django="myproject.settings")
    models = teapot.adapt("shop", "auth")          # app labels, modules or model classes
    order = await models.Order.objects.select_related("customer").aget(pk=1)

The teapot classes live in teapot's registry with the Django models' names, app labels and
tables, so both ORMs share the schema and the rows. What is carried over, and what is not:
README.md, "Sharing models.py with a Django project".
"""

from __future__ import annotations

import importlib
import types
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from teapot.adapter.errors import AdaptError, AdaptWarning, NotAdapted, Untranslatable

if TYPE_CHECKING:
    from teapot.db.models import Model

__all__ = ["Adapted", "AdaptError", "AdaptWarning", "NotAdapted", "Untranslatable", "adapt", "adapted", "translation_of"]


class Adapted:
    """The teapot classes an ``adapt()`` call returned: ``adapted.Order`` (by class name),
    ``adapted["shop.Order"]`` (by label), ``adapted[DjangoOrder]`` (by Django class); iterating
    gives the teapot classes."""

    def __init__(self, pairs):
        self._by_django = dict(pairs)

    def __getitem__(self, key: str | type) -> type[Model]:
        if isinstance(key, str):
            for dj_model, model in self._by_django.items():
                if dj_model._meta.label_lower == key.lower():
                    return model
            raise KeyError(key)
        return self._by_django[key]

    def __getattr__(self, name: str) -> type[Model]:
        if name.startswith("_"):
            raise AttributeError(name)
        matches = [model for model in self._by_django.values() if model.__name__ == name]
        if len(matches) == 1:
            return matches[0]
        if matches:
            labels = ", ".join(sorted(m._meta.label for m in matches))
            raise AttributeError(f"{name} is ambiguous here ({labels}): use adapted[{matches[0]._meta.label!r}]")
        raise AttributeError(f"no adapted model named {name!r}")

    def __iter__(self) -> Iterator[type[Model]]:
        return iter(self._by_django.values())

    def __len__(self) -> int:
        return len(self._by_django)

    def __contains__(self, key: str | type) -> bool:
        try:
            self[key]
        except KeyError:
            return False
        return True

    def __repr__(self):
        return f"<Adapted {', '.join(m._meta.label for m in self)}>"


def adapt(*targets: Any) -> Adapted:
    """Adapt Django model classes, models modules (or their dotted names) and app labels,
    with every model they depend on (relation targets, explicit through models, parents, and
    models whose PROTECT or RESTRICT keys guard their deletion). Models adapted before are
    reused. Returns the requested models as an ``Adapted``. All or nothing: when it raises,
    nothing it built stays registered."""
    from teapot.adapter import contenttypes, dependents, models
    from teapot.adapter.rollback import all_or_nothing

    if not targets:
        raise TypeError("adapt() needs Django model classes, models modules or app labels")
    django_models = []
    for target in targets:
        for model in _django_models(target):
            if model not in django_models:
                django_models.append(model)
    # The fork's contenttypes app is teapot's own, not something adapt() builds: registered
    # before the call, it is not taken back with what a failed call built.
    if contenttypes.django_has_contenttypes():
        contenttypes.install_app()
    with all_or_nothing():
        needed = models.closure(django_models)
        built, fresh = [], []
        for model in needed:
            if models.adapted(model) is None:
                with models.explained(model, needed):
                    built.append(models.build(model))
                fresh.append(model)
        models.check_relations_resolved(built)
    dependents.warn_unadapted_keys(fresh)
    return Adapted((model, models.adapted(model)) for model in django_models)


def adapted(django_model: type) -> type[Model]:
    """The teapot class of one Django model class, adapting it (and what it needs) first."""
    return adapt(django_model)[django_model]


def translation_of(django_model: type, member) -> str:
    """The code teapot runs for a Django model's ``save()`` or ``delete()`` override
    (``member`` is ``"save"`` or ``"delete"``) or for one of its signal receivers (``member``
    is the receiver function), as source text: an ``async def`` with its awaits, or the
    receiver as it is when it needs none. Raises ``Untranslatable`` (its ``reason`` is the one
    adapt() warns with) when teapot does not carry it over."""
    if isinstance(member, str):
        from teapot.adapter.overrides import translation_of as of_override

        return of_override(django_model, member)
    from teapot.adapter.receivers import translation_of as of_receiver

    return of_receiver(django_model, member)


def _django_models(target):
    from django.db.models import Model

    from teapot.adapter.django_setup import ensure_django

    ensure_django()
    from django.apps import apps

    if isinstance(target, type) and issubclass(target, Model):
        return [target]
    if isinstance(target, types.ModuleType) or (isinstance(target, str) and "." in target):
        module = importlib.import_module(target) if isinstance(target, str) else target
        found = [
            obj
            for obj in vars(module).values()
            if isinstance(obj, type)
            and issubclass(obj, Model)
            and obj.__module__ == module.__name__
            and not obj._meta.abstract
            and not obj._meta.swapped
        ]
        if not found:
            raise AdaptError(module.__name__, None, "the module defines no concrete Django model")
        return found
    if isinstance(target, str):
        try:
            config = apps.get_app_config(target)
        except LookupError:
            raise AdaptError(target, None, "no installed Django app has this label") from None
        return list(config.get_models())
    raise TypeError(f"adapt() takes Django model classes, models modules or app labels, not {target!r}")
