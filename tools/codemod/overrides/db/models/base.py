"""Overrides of django.db.models.base.

``_prepare_related_fields_for_save`` is a coroutine: a generic foreign key that was assigned
an object whose content type was not cached yet looks it up here, before the save or bulk
operation writes the row (upstream's __set__ looked it up at assignment).
"""

from teapot import model_rows

from tools.codemod.overrides import override


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


@override("Model._get_next_or_previous_by_FIELD", upstream="1520f98c10f1")
async def _get_next_or_previous_by_FIELD(self, field, is_next, **kwargs):
    """get_next_by_FOO() / get_previous_by_FOO(): a coroutine, as reading the neighbour is a
    query (upstream indexed an unevaluated queryset, which teapot refuses)."""
    if not self._is_pk_set():
        raise ValueError("get_next/get_previous cannot be used on unsaved objects.")
    op = "gt" if is_next else "lt"
    order = "" if is_next else "-"
    param = getattr(self, field.attname)
    q = Q.create([(field.name, param), (f"pk__{op}", self.pk)], connector=Q.AND)
    q = Q.create([q, (f"{field.name}__{op}", param)], connector=Q.OR)
    qs = (
        self.__class__._default_manager.using(self._state.db)
        .filter(**kwargs)
        .filter(q)
        .order_by("%s%s" % (order, field.name), "%spk" % order)
    )
    # One row at most: LIMIT 1, read with an await.
    found = await qs[:1]
    if not found:
        raise self.DoesNotExist(
            "%s matching query does not exist." % self.__class__._meta.object_name
        )
    return found[0]


@override("Model._get_next_or_previous_in_order", upstream="4fc42b39c73a")
async def _get_next_or_previous_in_order(self, is_next):
    """get_next_in_order() / get_previous_in_order(): a coroutine that caches the neighbour
    instance (the generated code cached the un-awaited coroutine, which a second call would
    have awaited again)."""
    cachename = "__%s_order_cache" % is_next
    if not hasattr(self, cachename):
        op = "gt" if is_next else "lt"
        order = "_order" if is_next else "-_order"
        order_field = self._meta.order_with_respect_to
        filter_args = order_field.get_filter_kwargs_for_object(self)
        obj = await (
            self.__class__._default_manager.filter(**filter_args)
            .filter(
                **{
                    "_order__%s"
                    % op: self.__class__._default_manager.values("_order").filter(
                        **{self._meta.pk.name: self.pk}
                    )
                }
            )
            .order_by(order)[:1]
            .get()
        )
        setattr(self, cachename, obj)
    return getattr(self, cachename)
