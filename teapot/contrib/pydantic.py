"""Pydantic schemas over teapot models. Hand-written.

Pydantic's ``from_attributes`` reads a model instance with ``getattr``. On a teapot instance
that is not enough: a relation that was not loaded raises ``AwaitRequired``, which Pydantic
turns into a ``ValidationError`` of type ``get_attribute_error``, and a to-many relation is a
manager, not a list. ``Schema`` reads the instance itself before Pydantic validates it:

- a relation that was not loaded raises ``AwaitRequired`` as it is, naming
  ``select_related`` / ``prefetch_related``;
- a to-many relation (reverse foreign key, many-to-many) gives its prefetched rows;
- a queryset gives its rows once it has been evaluated.

Nothing here queries: load what the schema reads, then validate::

    class AuthorOut(Schema):
        id: int
        name: str
        books: list[BookOut]  # BookOut is a Schema too

    author = await Author.objects.prefetch_related("books").aget(pk=1)
    AuthorOut.model_validate(author)

``schema_for(Model)`` writes a ``Schema`` of a model's own columns, for the common case of an
endpoint that returns rows as they are stored.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Annotated, Any

import pydantic

from teapot.core.exceptions import ImproperlyConfigured
from teapot.db import models
from teapot.db.models.manager import BaseManager
from teapot.errors import AwaitRequired

__all__ = ["Schema", "schema_for"]


class Schema(pydantic.BaseModel):
    """A Pydantic model that validates teapot model instances by their loaded attributes."""

    model_config = pydantic.ConfigDict(from_attributes=True)

    @pydantic.model_validator(mode="wrap")
    @classmethod
    def _read_teapot_instance(cls, value: Any, handler: pydantic.ValidatorFunctionWrapHandler) -> Any:
        if isinstance(value, models.Model):
            value = _loaded_attributes(cls, value)
        return handler(value)


def _loaded_attributes(schema: type[pydantic.BaseModel], instance: models.Model) -> dict[str, Any]:
    """The attributes the schema reads, taken from the instance under the names Pydantic looks
    up (a field's alias where it has one). Attributes the instance lacks are left out, so that
    Pydantic reports them, or uses the field's default, as it would for the instance itself."""
    data: dict[str, Any] = {}
    for name, field in schema.model_fields.items():
        key = _lookup_name(name, field)
        try:
            value = getattr(instance, key)
        except AttributeError:
            continue
        data[key] = _rows_of(instance, key, value)
    return data


def _lookup_name(name: str, field: pydantic.fields.FieldInfo) -> str:
    if isinstance(field.validation_alias, str):
        return field.validation_alias
    if field.validation_alias is not None:
        raise ImproperlyConfigured(
            f"teapot's Schema reads attributes by one name; field {name!r} has a validation alias "
            f"of type {type(field.validation_alias).__name__}"
        )
    return field.alias or name


def _rows_of(instance: models.Model, name: str, value: Any) -> Any:
    """A to-many relation or a queryset as the list of its loaded rows; other values as they are."""
    if isinstance(value, BaseManager):
        rows = value.all()
        if rows._result_cache is None:
            raise AwaitRequired(
                f"{type(instance).__name__}.{name} is not loaded and reading it would run a query: "
                f"use prefetch_related({name!r}) on the queryset, or "
                f"`await aprefetch_related_objects([obj], {name!r})`"
            )
        return rows._result_cache
    if isinstance(value, models.QuerySet):
        if value._result_cache is None:
            raise AwaitRequired(
                f"{type(instance).__name__}.{name} is a queryset that was not evaluated: "
                "evaluate it (`await qs`) before validating, or prefetch it"
            )
        return value._result_cache
    return value


# The Python type of each of Django's column types; a field with choices keeps its column's type.
_PYTHON_TYPES: dict[str, Any] = {
    "AutoField": int,
    "BigAutoField": int,
    "SmallAutoField": int,
    "IntegerField": int,
    "BigIntegerField": int,
    "SmallIntegerField": int,
    "PositiveIntegerField": Annotated[int, pydantic.Field(ge=0)],
    "PositiveBigIntegerField": Annotated[int, pydantic.Field(ge=0)],
    "PositiveSmallIntegerField": Annotated[int, pydantic.Field(ge=0)],
    "BooleanField": bool,
    "CharField": str,
    "TextField": str,
    "SlugField": str,
    "EmailField": str,
    "URLField": str,
    "FilePathField": str,
    "GenericIPAddressField": str,
    "FloatField": float,
    "DecimalField": decimal.Decimal,
    "DateField": datetime.date,
    "DateTimeField": datetime.datetime,
    "TimeField": datetime.time,
    "DurationField": datetime.timedelta,
    "UUIDField": uuid.UUID,
    "BinaryField": bytes,
    "JSONField": Any,
}


def schema_for(
    model: type[models.Model],
    *,
    fields: list[str] | tuple[str, ...] | None = None,
    exclude: list[str] | tuple[str, ...] = (),
    name: str | None = None,
    base: type[Schema] = Schema,
) -> type[Schema]:
    """A ``Schema`` of the model's concrete fields, as they are stored: a foreign key is its
    column (``author_id``), a nullable field is ``T | None``.

    ``fields`` picks and orders the fields (by name or column name), ``exclude`` leaves some out.
    Relations to many rows are not included; add them on a subclass. A field whose Python type
    teapot does not know raises ``ImproperlyConfigured``: exclude it or write the schema.
    """
    concrete = {f.name: f for f in model._meta.concrete_fields}
    by_column = {f.attname: f for f in concrete.values()}
    chosen = fields if fields is not None else [f.name for f in model._meta.concrete_fields]
    unknown = [n for n in [*chosen, *exclude] if n not in concrete and n not in by_column]
    if unknown:
        raise ImproperlyConfigured(
            f"{model.__name__} has no concrete field {', '.join(map(repr, unknown))} for schema_for()"
        )
    excluded = {(concrete.get(n) or by_column[n]).name for n in exclude}
    definitions: dict[str, Any] = {}
    for field_name in chosen:
        field = concrete.get(field_name) or by_column[field_name]
        if field.name not in excluded:
            definitions[field.attname] = (_annotation(model, field), ...)
    return pydantic.create_model(name or f"{model.__name__}Schema", __base__=base, **definitions)


def _annotation(model: type[models.Model], field: models.Field) -> Any:
    target = field.target_field if field.is_relation else field
    internal_type = target.get_internal_type()
    if internal_type not in _PYTHON_TYPES:
        raise ImproperlyConfigured(
            f"schema_for() does not know the Python type of {model.__name__}.{field.name} "
            f"({type(field).__name__}): exclude it, or declare it on a Schema subclass"
        )
    annotation = _PYTHON_TYPES[internal_type]
    max_length = getattr(target, "max_length", None)
    if annotation is str and max_length:
        annotation = Annotated[str, pydantic.Field(max_length=max_length)]
    return annotation | None if field.null else annotation
