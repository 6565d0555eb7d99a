"""Django objects -> their teapot twins. Hand-written.

Field arguments, Meta options and module globals hold Django objects: expressions, Q, F,
fields, constraints, indexes, on_delete handlers, validators, lazy translations, modules.
``translate`` rebuilds a value from its ``deconstruct()`` on its twin (teapot.adapter.twins),
and a Django field with ``field_from_django``, whose arguments are values to translate in
turn; which teapot class a field becomes is teapot.adapter.fields's to say.
"""

from __future__ import annotations

import sys

from teapot.adapter import contenttypes, database_on_delete, fields
from teapot.adapter.errors import field_error
from teapot.adapter.twins import NoTwin, import_twin, twin

# Arguments an older Django names differently: (path, old name) -> the pinned release's name.
RENAMED_ARGUMENTS = {
    ("django.db.models.CheckConstraint", "check"): "condition",  # renamed in Django 5.1
}


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


def field_from_django(dj_field, owner):
    """The teapot field for ``dj_field``; ``owner`` is the Django model, for error messages
    (None for a field that is an argument, such as GeneratedField's output_field)."""
    from django.contrib.contenttypes import fields as generic

    if isinstance(dj_field, generic.GenericForeignKey):
        return contenttypes.generic_foreign_key(dj_field)
    if isinstance(dj_field, generic.GenericRelation):
        if type(dj_field) is not generic.GenericRelation:
            reason = f"custom relation field class {fields.class_path(type(dj_field))} cannot be adapted"
            raise field_error(owner, dj_field, reason)
        target, args, kwargs = contenttypes.generic_relation(dj_field)
    else:
        target, args, kwargs = fields.field_class(dj_field, owner)
        kwargs = dict(kwargs)
        if "validators" in kwargs:
            kwargs["validators"] = [_validator(v) for v in kwargs["validators"]]
    try:
        return target(*translate(list(args)), **translate(kwargs))
    except Exception as error:
        raise field_error(owner, dj_field, f"{type(error).__name__}: {error}") from error


def _validator(validator):
    translated = translate(validator)
    if translated is not validator or getattr(type(validator), "__module__", "").startswith("teapot"):
        return translated
    return DjangoValidator(validator)


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
