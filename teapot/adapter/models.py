"""A Django model class -> a teapot model class with the same table. Hand-written.

The teapot class gets the Django model's name, module, app label and db_table, its fields
(teapot.adapter.translate, with the classes of teapot.adapter.fields), its Meta options as
Django resolved them (constraint and index names filled in), its managers (teapot.adapter.managers), the methods and properties of the
model and its abstract bases (teapot.adapter.members; sync overrides of teapot's coroutines
through teapot.adapter.overrides), and the model's signal receivers (teapot.adapter.receivers).
Concrete parents and proxied models are adapted first and become the teapot class's bases, so
multi-table inheritance and proxies work as in Django.
"""

from __future__ import annotations

import types
from contextlib import contextmanager

from teapot.adapter import contenttypes, members, overrides, receivers
from teapot.adapter.errors import AdaptError
from teapot.adapter.managers import _replacements, manager_from_django
from teapot.adapter.translate import field_from_django, translate
from teapot.adapter.twins import teapot_path

# Meta options teapot sets itself or that have no meaning for an adapted model.
SKIPPED_OPTIONS = frozenset({"apps", "abstract", "swappable", "app_label", "db_table", "auto_created", "proxy"})


def adapted(dj_model):
    return members.adapted_classes.get(dj_model)


class Needed(list):
    """Models in the order to build them, with why each one not requested is there."""

    def __init__(self):
        super().__init__()
        self.because: dict = {}


def closure(dj_models):
    """``dj_models`` and every model they need, parents before children."""
    order = Needed()
    seen: set = set()

    def visit(model, because=None):
        if model in seen:
            return
        seen.add(model)
        if because is not None:
            order.because[model] = because
        check_adaptable(model, because)
        for parent in direct_parents(model):
            visit(parent, f"{model._meta.label} inherits from it")
        order.append(model)
        for related, why in related_models(model):
            visit(related, why)

    for model in dj_models:
        visit(model)
    return order


@contextmanager
def explained(model, needed):
    """An AdaptError for a model nobody asked for says which model needed it."""
    try:
        yield
    except AdaptError as error:
        because = needed.because.get(model)
        if because is None or error.model != model._meta.label:
            raise
        raise AdaptError(error.model, error.field, f"{error.reason} (adapted because {because})") from error


def check_relations_resolved(built):
    """Every relation of the classes just built points at a registered class: one left as a
    name would fail at its first query, far from here."""
    for cls in built:
        opts = cls._meta
        for field in [*opts.local_fields, *opts.local_many_to_many, *opts.private_fields]:
            remote = getattr(field, "remote_field", None)
            if remote is None:
                continue
            for role, target in (("relates to", remote.model), ("goes through", getattr(remote, "through", None))):
                if isinstance(target, str):
                    raise AdaptError(opts.label, field.name, f"it {role} {target}, which teapot's registry does not have")


def check_adaptable(model, because=None):
    opts = model._meta
    reason = None
    if opts.abstract:
        reason = "it is abstract; adapt the concrete models that inherit from it"
    elif opts.swapped:
        reason = f"it is swapped out for {opts.swapped}"
    if reason is not None:
        raise AdaptError(opts.label, None, reason if because is None else f"{reason} (needed because {because})")


def direct_parents(model):
    """The Django models the teapot class inherits from: concrete parents (multi-table
    inheritance) or, for a proxy, the model it proxies."""
    opts = model._meta
    found = []
    for base in model.__bases__:
        for klass in base.__mro__:
            meta = getattr(klass, "_meta", None)
            if meta is not None and not meta.abstract and klass is not model:
                if klass not in found:
                    found.append(klass)
                break
    if opts.proxy and not found:
        found.append(opts.proxy_for_model)
    return found


def related_models(model):
    """(model, why) for the models ``model`` needs besides its parents: the targets of its
    FK/O2O/M2M and generic relations, explicit through models (auto-created ones come with
    their M2M field), and the models whose PROTECT or RESTRICT keys guard its rows (without
    them, teapot's delete would not know to refuse)."""
    from django.db.models import PROTECT, RESTRICT

    out = []
    for field in model._meta.get_fields():
        if field.auto_created or not field.is_relation or field.related_model is None:
            continue
        why = f"{model._meta.label}.{field.name} relates to it"
        out.append((field.related_model, why))
        through = getattr(field.remote_field, "through", None)
        if field.many_to_many and through is not None and not through._meta.auto_created:
            out.append((through, f"{model._meta.label}.{field.name} goes through it"))
    for rel in reverse_keys(model):
        if rel.on_delete in (PROTECT, RESTRICT):
            rule = "PROTECT" if rel.on_delete is PROTECT else "RESTRICT"
            why = f"{rel.related_model._meta.label}.{rel.field.name} guards its deletion (on_delete={rule})"
            out.append((rel.related_model, why))
    return [(m, why) for m, why in out if m is not model and not isinstance(m, str)]


def reverse_keys(model):
    """The foreign keys and one-to-one keys of other models (auto-created M2M tables left out)
    that point at ``model``, as the reverse relations Django's delete looks at: hidden ones
    (related_name="+") too."""
    for rel in model._meta.get_fields(include_hidden=True):
        if not rel.auto_created or rel.concrete or not (rel.one_to_many or rel.one_to_one):
            continue
        if not rel.related_model._meta.auto_created:
            yield rel


def build(dj_model):
    """Create, register and return the teapot class of ``dj_model`` (its parents must have
    been adapted already)."""
    opts = dj_model._meta
    if contenttypes.is_django_contenttypes(dj_model.__module__):
        # Django's ContentType is the fork's, not a copy: one cache, one GenericForeignKey.
        cls = contenttypes.content_type_model()
        members.class_adapted(dj_model, cls)
        return cls
    ensure_app_config(opts)
    bases = tuple(members.adapted_classes[parent] for parent in direct_parents(dj_model))
    if not bases:
        from teapot.db.models import Model

        bases = (Model,)
    cell = types.CellType()
    namespace = {
        "__module__": dj_model.__module__,
        "__qualname__": dj_model.__qualname__,
        "__doc__": dj_model.__doc__,
        "Meta": meta_class(dj_model),
    }
    own = own_classes(dj_model)
    namespace.update(
        members.class_members(
            own,
            cell,
            skip=set(_field_names(dj_model)),
            replacements=_replacements(),
            convert=lambda cls, name, value: overrides.carried_over(dj_model, own, cls, name, value),
        )
    )
    for name, value in list(namespace.items()):
        if callable(value) or isinstance(value, (classmethod, staticmethod, property)):
            members.warn_io_calls(opts.label, name, value)
    namespace.update(fields(dj_model))
    namespace.update(managers(dj_model))
    try:
        cls = type(dj_model.__name__, bases, namespace)
    except AdaptError:
        raise
    except Exception as error:
        raise AdaptError(opts.label, None, f"{type(error).__name__}: {error}") from error
    cell.cell_contents = cls
    members.class_adapted(dj_model, cls)
    receivers.connect_receivers(dj_model, cls)
    return cls


def own_classes(dj_model):
    """The classes whose members the teapot class copies: the model, its abstract bases and
    plain mixins; not concrete parents (inherited through the teapot bases) nor Django's ORM."""
    out = []
    for klass in dj_model.__mro__:
        if klass is object or klass.__module__.startswith("django.db."):
            continue
        meta = getattr(klass, "_meta", None)
        if meta is not None and klass is not dj_model and not meta.abstract:
            continue
        out.append(klass)
    return out


def _field_names(dj_model):
    return [f.name for f in dj_model._meta.get_fields() if not f.auto_created or f.concrete]


def fields(dj_model):
    opts = dj_model._meta
    if opts.proxy:
        return {}
    out = {}
    for field in [*opts.local_fields, *opts.local_many_to_many, *opts.private_fields]:
        if field.name in out:
            continue
        if field.auto_created and getattr(field.remote_field, "parent_link", False):
            continue  # teapot's metaclass makes the same <parent>_ptr link
        if getattr(field, "mti_inherited", False) or field.model is not dj_model:
            continue
        out[field.name] = field_from_django(field, dj_model)
    return out


def meta_class(dj_model):
    opts = dj_model._meta
    attrs = {"app_label": opts.app_label}
    if opts.proxy:
        attrs["proxy"] = True
    else:
        attrs["db_table"] = opts.db_table
    for name in opts.original_attrs:
        if name in SKIPPED_OPTIONS:
            continue
        if name == "index_together":
            raise AdaptError(opts.label, None, "Meta.index_together was removed in Django 5.1; use Meta.indexes")
        attrs[name] = translate(getattr(opts, name))
    return type("Meta", (), attrs)


def managers(dj_model):
    """Managers declared on the model or its abstract bases; those of concrete parents are
    inherited through the teapot bases."""
    out = {}
    for manager in dj_model._meta.managers:
        if manager.auto_created:
            continue
        owner = next((k for k in dj_model.__mro__ if manager.name in vars(k)), None)
        meta = getattr(owner, "_meta", None)
        if owner is not dj_model and meta is not None and not meta.abstract:
            continue
        out[manager.name] = manager_from_django(manager)
    return out


def ensure_app_config(opts):
    """A teapot app config for the Django app, so teapot's registry finds its models by label
    (``apps.get_model("shop.Order")``), without importing the app's modules again."""
    from teapot.apps import AppConfig, apps

    label = opts.app_label
    if label in apps.app_configs:
        return
    dj_config = opts.app_config
    module = dj_config.module if dj_config is not None else None
    config = AppConfig.__new__(AppConfig)
    config.name = dj_config.name if dj_config is not None else label
    config.module = module
    config.label = label
    config.verbose_name = str(dj_config.verbose_name) if dj_config is not None else label.title()
    config.path = dj_config.path if dj_config is not None else None
    config.models_module = None
    config.apps = apps
    config.models = apps.all_models[label]
    # teapot's migration commands leave the app to Django's (teapot/commands.py).
    config.adapted_from_django = True
    if dj_config is not None:
        # Auto-created primary keys (of M2M through tables, too) follow the app's setting.
        auto_field = teapot_path(dj_config.default_auto_field)
        if auto_field is None:
            raise AdaptError(label, None, f"default_auto_field {dj_config.default_auto_field!r} is not one of Django's fields")
        config.default_auto_field = auto_field
    apps.app_configs[label] = config
    apps.clear_cache()
