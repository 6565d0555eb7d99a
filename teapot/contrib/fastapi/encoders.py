"""teapot's models and querysets in FastAPI's ``jsonable_encoder``. Hand-written.

FastAPI encodes an object it does not know through ``vars()``, which for a model instance
includes ``_state`` (and with it every cached related object) and for a queryset its
internals. ``register()`` teaches ``jsonable_encoder`` two things instead:

- an instance is its loaded concrete fields by column name (``{"id": 1, "author_id": 2}``),
  without relations: to shape an answer with relations, return a ``teapot.contrib.pydantic.Schema``
  or declare it as the route's ``response_model``;
- a queryset is the list of its rows once it has been evaluated (``await qs``); encoding an
  unevaluated one raises ``AwaitRequired`` instead of querying.
"""

from __future__ import annotations

from typing import Any

from fastapi import encoders

from teapot.db import models
from teapot.db.models.fields.files import FieldFile


def encode_instance(instance: models.Model) -> dict[str, Any]:
    stored = instance.__dict__
    row = {}
    for field in instance._meta.concrete_fields:
        if field.attname in stored:  # deferred fields are left out rather than loaded
            value = stored[field.attname]
            row[field.attname] = value.name if isinstance(value, FieldFile) else value
    return encoders.jsonable_encoder(row)


def encode_queryset(queryset: models.QuerySet) -> list[Any]:
    return encoders.jsonable_encoder(list(queryset))  # AwaitRequired when not evaluated


def register() -> None:
    """Add the two encoders to FastAPI's table of encoders by class (idempotent)."""
    encoders.encoders_by_class_tuples[encode_instance] = (models.Model,)
    encoders.encoders_by_class_tuples[encode_queryset] = (models.QuerySet,)
