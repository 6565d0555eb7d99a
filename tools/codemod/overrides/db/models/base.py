"""Overrides of django.db.models.base.

``_prepare_related_fields_for_save`` is a coroutine: a generic foreign key that was assigned
an object whose content type was not cached yet looks it up here, before the save or bulk
operation writes the row (upstream's __set__ looked it up at assignment).
"""

from teapot import model_rows

from codemod.overrides import override


@override("Model._prepare_related_fields_for_save", upstream="f423d08c007a")
async def _prepare_related_fields_for_save(self, operation_name, fields=None):
    # An unsaved instance assigned to a relation would be lost: refuse the save.
    for field in self._meta.concrete_fields:
        if fields and field not in fields:
            continue
        if field.is_relation and field.is_cached(self):
            obj = getattr(self, field.name, None)
            if not obj:
                continue
            if not obj._is_pk_set():
                if not field.remote_field.multiple:
                    field.remote_field.delete_cached_value(obj)
                raise ValueError(
                    "%s() prohibited to prevent data loss due to unsaved "
                    "related object '%s'." % (operation_name, field.name)
                )
            elif getattr(self, field.attname) in field.empty_values:
                # Saved since it was assigned: take its key now.
                setattr(self, field.name, obj)
            if getattr(obj, field.target_field.attname) != getattr(self, field.attname):
                field.delete_cached_value(self)
    # Generic foreign keys are private fields.
    for field in self._meta.private_fields:
        if fields and field not in fields:
            continue
        if field.is_relation and field.is_cached(self) and hasattr(field, "fk_field"):
            obj = field.get_cached_value(self, default=None)
            if obj and not obj._is_pk_set():
                raise ValueError(
                    f"{operation_name}() prohibited to prevent data loss due to "
                    f"unsaved related object '{field.name}'."
                )
            if obj is not None and hasattr(field, "resolve_content_type"):
                await field.resolve_content_type(self)


@override("Model.from_db", upstream="21b4e2ac538d")
@classmethod
def from_db(cls, db, field_names, values):
    """The instance of a row read from ``db``; fields missing from ``field_names`` are
    deferred. A full row of a model whose ``__init__`` would only store the values gets
    them stored directly (teapot.model_rows)."""
    concrete = cls._meta.concrete_fields
    if len(values) == len(concrete):
        if (attnames := model_rows.direct_attnames(cls)) is not None:
            return model_rows.instance(cls, attnames, db, values)
    else:
        read = iter(values)  # the fields read, in order; the others wait to be loaded
        values = [next(read) if field.attname in field_names else DEFERRED for field in concrete]
    loaded = cls(*values)
    loaded._state.adding = False
    loaded._state.db = db
    return loaded
