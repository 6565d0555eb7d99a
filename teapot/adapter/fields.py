"""A Django field class -> the teapot field class that makes the same column. Hand-written.

A built-in field is rebuilt from its ``deconstruct()`` on teapot's class of the same name. A
custom field class (``myapp.fields.MoneyField``) has no twin: teapot subclasses the nearest
built-in field, builds it from that field's ``deconstruct()``, and hands the value
conversions the custom class overrides (``from_db_value``, ``get_prep_value``, ``db_type``,
...) to the Django field itself.
"""

from __future__ import annotations

import uuid

from teapot.adapter.errors import field_error
from teapot.adapter.twins import import_twin, is_django
from teapot.db.models import UUIDField

# The methods a custom field class may override to change how values reach and leave the
# database; each one the class overrides is called on the Django field.
DELEGATED_METHODS = (
    "from_db_value",
    "to_python",
    "get_prep_value",
    "get_db_prep_value",
    "get_db_prep_save",
    "pre_save",
    "db_type",
    "rel_db_type",
    "cast_db_type",
    "db_type_parameters",
    "db_check",
    "db_parameters",
    "get_internal_type",
    "value_to_string",
    "value_from_object",
    "get_placeholder",
    "select_format",
)


def field_class(dj_field, owner):
    """What builds the teapot field for ``dj_field`` (not a generic relation), with Django's
    arguments for it: ``(target, args, kwargs)``, the arguments still Django's values.
    ``owner`` is the Django model, for error messages (None for a field that is an argument)."""
    name, path, args, kwargs = dj_field.deconstruct()
    target = import_twin(path) if is_django(type(dj_field)) else None
    if target is None:
        return _custom_field(dj_field, owner)
    if _uuid_is_char32() and path == "django.db.models.UUIDField":
        target = Char32UUIDField
    return target, args, kwargs


def class_path(cls):
    return f"{cls.__module__}.{cls.__qualname__}"


def _builtin_base(cls):
    """The nearest class in ``cls``'s MRO that is one of Django's own model fields."""
    for base in cls.__mro__:
        if base.__module__.startswith("django.db.models.fields"):
            return base
    return None


_delegating_classes: dict[type, type] = {}


def _custom_field(dj_field, owner):
    cls = type(dj_field)
    from django.db.models.fields.related import RelatedField

    base = _builtin_base(cls)
    if base is None:
        raise field_error(owner, dj_field, f"{cls.__module__}.{cls.__qualname__} is not a Django model field")
    if issubclass(cls, RelatedField):
        raise field_error(
            owner, dj_field, f"custom relation field class {cls.__module__}.{cls.__qualname__} cannot be adapted"
        )
    teapot_base = import_twin(f"{base.__module__}.{base.__qualname__}")
    if _uuid_is_char32() and teapot_base is UUIDField:
        teapot_base = Char32UUIDField
    if teapot_base is None:
        raise field_error(owner, dj_field, f"teapot has no twin of {base.__module__}.{base.__qualname__}")
    _, _, args, kwargs = base.deconstruct(dj_field)
    target = _delegating_classes.get(cls)
    if target is None:
        delegated = [
            name for name in DELEGATED_METHODS if getattr(cls, name, None) is not getattr(base, name, None)
        ]
        namespace = {name: _delegate(name) for name in delegated}
        namespace.update(
            __module__=cls.__module__,
            __qualname__=cls.__qualname__,
            __doc__=cls.__doc__,
            django_field_class=cls,
            delegated_methods=tuple(delegated),
        )
        target = _delegating_classes[cls] = type(cls.__name__, (teapot_base,), namespace)
    return _Bound(target, dj_field), args, kwargs


class _Bound:
    """Builds a delegating field and gives it the Django field it delegates to."""

    def __init__(self, cls, dj_field):
        self.cls, self.dj_field = cls, dj_field

    def __call__(self, *args, **kwargs):
        field = self.cls(*args, **kwargs)
        field.django_field = self.dj_field
        return field


def _delegate(name):
    def method(self, *args, **kwargs):
        return getattr(self.django_field, name)(*args, **kwargs)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"Calls the Django field's {name}()."
    return method


def _uuid_is_char32() -> bool:
    import django

    return django.VERSION < (5, 0)


class Char32UUIDField(UUIDField):
    """UUIDField as Django before 5.0 stores it on MySQL/MariaDB: 32 hex digits in char(32).
    Django 5.0 moved to MariaDB's native uuid type, so a project on Django 4.2 has char(32)
    columns, and teapot must write them the old way."""

    def db_type(self, connection):
        if connection.vendor == "mysql":
            return "char(32)"
        return super().db_type(connection)

    def get_db_prep_value(self, value, connection, prepared=False):
        value = super().get_db_prep_value(value, connection, prepared)
        if connection.vendor == "mysql" and isinstance(value, uuid.UUID):
            value = value.hex
        return value
