"""Django objects -> their teapot twins. Hand-written.

Field arguments, Meta options and module globals hold Django objects: expressions, Q, F,
constraints, indexes, on_delete handlers, validators, lazy translations, modules. teapot is
Django renamed, so almost every one of them has a twin at the same dotted path under
``teapot``; ``translate`` rebuilds a value from its ``deconstruct()`` on that twin, and
``twin`` finds the twin of a module, class or function.
"""

from __future__ import annotations

import functools
import importlib
import sys
import types

from teapot.adapter import contenttypes, database_on_delete

# Django's registry and settings objects have twins that are instances, not importable names.
_INSTANCE_TWINS = {
    ("django.apps.registry", "Apps"): "teapot.apps:apps",
    ("django.conf", "LazySettings"): "teapot.conf:settings",
}


# Arguments an older Django names differently: (path, old name) -> the pinned release's name.
RENAMED_ARGUMENTS = {
    ("django.db.models.CheckConstraint", "check"): "condition",  # renamed in Django 5.1
}


class NoTwin(LookupError):
    """A Django database object (an expression, a constraint...) that teapot's fork lacks:
    it came with a Django release newer than the one the fork is made from."""

    def __init__(self, path: str):
        from teapot import get_version

        super().__init__(
            f"{path} has no counterpart in teapot, whose ORM is Django {get_version()}'s "
            "(it comes from a newer Django); use an equivalent that Django "
            f"{get_version()} has, or leave this model to Django"
        )
        self.path = path


def teapot_path(path: str) -> str | None:
    """``django.x.y`` -> ``teapot.x.y``; None for anything outside Django."""
    if path == "django" or path.startswith("django."):
        return "teapot" + path[len("django") :]
    return None


# Django packages whose objects the adapter keeps as they are, although the fork has a module
# of the same path: the fork's contrib.auth is an app of its own (its models need it installed),
# while an adapted project's auth models are built from Django's (teapot/adapter/auth.py).
NO_TWINS = ("django.contrib.auth",)


@functools.lru_cache(maxsize=None)
def _import(module_name: str):
    try:
        return importlib.import_module(module_name)
    except ImportError:
        return None


def import_twin(dotted: str):
    """The object at teapot's twin of Django's dotted path ``dotted`` (``module.Name`` or
    ``module.Outer.Inner``), or None when the fork has no such object."""
    target = teapot_path(dotted)
    if target is None or any(dotted == p or dotted.startswith(p + ".") for p in NO_TWINS):
        return None
    if contenttypes.is_django_contenttypes(dotted):
        contenttypes.install_app()  # the fork's models module needs its app registered
    module = _import(target)
    if module is not None:
        return module
    parts = target.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        module = _import(".".join(parts[:cut]))
        if module is None:
            continue
        obj = module
        for name in parts[cut:]:
            obj = getattr(obj, name, None)
            if obj is None:
                return None
        return obj
    return None


def twin(obj):
    """teapot's twin of a Django module, class, function or registry object; None if there
    is none (the object is not Django's, or the fork does not contain it)."""
    if isinstance(obj, types.ModuleType):
        return import_twin(obj.__name__) if teapot_path(obj.__name__) else None
    if isinstance(obj, (type, types.FunctionType, types.BuiltinFunctionType)):
        module = getattr(obj, "__module__", None) or ""
        qualname = getattr(obj, "__qualname__", "")
        if teapot_path(module) is None or "<locals>" in qualname:
            return None
        return import_twin(f"{module}.{qualname}")
    cls = type(obj)
    spec = _INSTANCE_TWINS.get((cls.__module__, cls.__qualname__))
    if spec is not None:
        module, _, name = spec.partition(":")
        return getattr(importlib.import_module(module), name)
    return None


def is_django(obj) -> bool:
    """Whether ``obj`` (a class or an instance) comes from the installed Django."""
    cls = obj if isinstance(obj, type) else type(obj)
    return teapot_path(cls.__module__ or "") is not None


def translate(value):
    """``value`` with every Django object in it replaced by its teapot twin.

    Deconstructible objects (expressions, Q, F, indexes, constraints, ``SET(...)``) are
    rebuilt from ``deconstruct()``; Django fields become teapot fields; lazy translations
    become plain strings. Anything else, a Django function without a twin included, is
    returned as it is (validators are wrapped by the field builder, which knows them).
    """
    if value is None or isinstance(value, (bool, int, float, complex, bytes)):
        return value
    if isinstance(value, str):
        return value  # str subclasses (SettingsReference) stay: they are labels
    if isinstance(value, list):
        return [translate(item) for item in value]
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(translate(item) for item in value)
    if isinstance(value, dict):
        return {key: translate(item) for key, item in value.items()}
    if isinstance(value, (set, frozenset)):
        return type(value)(translate(item) for item in value)
    django_promise = sys.modules.get("django.utils.functional")
    if django_promise is not None and isinstance(value, django_promise.Promise):
        return str(value)
    django_fields = sys.modules.get("django.db.models.fields")
    if django_fields is not None and isinstance(value, django_fields.Field):
        from teapot.adapter.fields import field_from_django

        return field_from_django(value, owner=None)
    deconstruct = getattr(value, "deconstruct", None)
    if deconstruct is not None and not isinstance(value, type):
        parts = deconstruct()
        if len(parts) == 3 and isinstance(parts[0], str):
            path, args, kwargs = parts
            target = import_twin(path)
            if target is not None:
                kwargs = {RENAMED_ARGUMENTS.get((path, key), key): item for key, item in kwargs.items()}
                return target(*translate(list(args)), **translate(kwargs))
            if path.startswith("django.db."):
                raise NoTwin(path)
    database_handler = database_on_delete.twin_of(value)
    if database_handler is not None:
        return database_handler
    found = twin(value)
    return value if found is None else found


class DjangoValidator:
    """A Django validator without a teapot twin (``UnicodeUsernameValidator``, say): it runs
    as it is, and the django ValidationError it raises becomes teapot's."""

    def __init__(self, validator):
        self.validator = validator

    def __call__(self, value):
        from django.core.exceptions import ValidationError as DjangoValidationError

        from teapot.core.exceptions import ValidationError

        try:
            self.validator(value)
        except DjangoValidationError as error:
            if hasattr(error, "error_dict"):
                raise ValidationError(
                    {field: [_teapot_error(e) for e in errors] for field, errors in error.error_dict.items()}
                ) from error
            raise ValidationError([_teapot_error(e) for e in error.error_list]) from error

    def __eq__(self, other):
        return isinstance(other, DjangoValidator) and other.validator == self.validator

    def __hash__(self):
        return hash(self.validator)

    def __repr__(self):
        return f"DjangoValidator({self.validator!r})"


def _teapot_error(error):
    from teapot.core.exceptions import ValidationError

    return ValidationError(error.message, code=error.code, params=error.params)
