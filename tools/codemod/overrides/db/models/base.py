"""Overrides of django.db.models.base.

``_prepare_related_fields_for_save`` is a coroutine: a generic foreign key that was assigned
an object whose content type was not cached yet looks it up here, before the save or bulk
operation writes the row (upstream's __set__ looked it up at assignment).
"""

import inspect
from types import CoroutineType

from teapot import model_rows
from teapot.errors import AwaitRequired

from tools.codemod.overrides import override


@override("Model._prepare_related_fields_for_save", upstream="f423d08c007a")
async def _prepare_related_fields_for_save(self, operation_name, fields=None):
    # Every save passes here: one scan of the values finds a default's coroutine, if any.
    for value in self.__dict__.values():
        if type(value) is CoroutineType:
            await self._await_default_values(fields)
            break
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


@override("Model.__init__", upstream="4f66830b34dd", keep_upstream_as="_init_from_arguments")
def __init__(self, *args, **kwargs):
    """An instance built from keyword values that are all fields' attnames, on a model whose
    ``__init__`` would only store them, gets them stored directly (teapot.model_rows);
    anything else goes through upstream's ``__init__``."""
    if args or not model_rows.fill_new(self, kwargs):
        self._init_from_arguments(*args, **kwargs)


@override("Model._await_default_values", new=True)
async def _await_default_values(self, fields=None):
    """A default that is a coroutine function (one that queries) left a coroutine on the
    instance, as ``__init__`` cannot await: its value is awaited here, before the row is
    written. A model instance it gives stands for its key, as in ``ForeignKey.get_default``."""
    for field in self._meta.concrete_fields:
        if fields and field not in fields:
            continue
        value = self.__dict__.get(field.attname)
        if not inspect.iscoroutine(value):
            continue
        value = await value
        if field.is_relation and isinstance(value, field.remote_field.model):
            value = getattr(value, field.target_field.attname)
        setattr(self, field.attname, value)


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


@override("Model._update_value", new=True)
async def _update_value(self, field, raw):
    """The value an UPDATE writes for ``field``. A deferred field named in ``update_fields``
    is loaded first when reading it is needed: upstream's attribute access queried on its own,
    teapot's refuses, so the coroutine loads it with one query as upstream did."""
    read = (lambda: getattr(self, field.attname)) if raw else (lambda: field.pre_save(self, False))
    try:
        return read()
    except AwaitRequired:
        if field.attname not in self.get_deferred_fields():
            raise
    await self.refresh_from_db(fields=[field.attname])
    return read()


@override("Model._save_table", upstream="30b429730dba")
async def _save_table(
    self,
    raw=False,
    cls=None,
    force_insert=False,
    force_update=False,
    using=None,
    update_fields=None,
):
    """Write one table's columns of the instance: an UPDATE when the key is set (and the
    insert is not forced), an INSERT when that updated nothing. The values of the UPDATE come
    from ``_update_value``, which loads deferred fields named in ``update_fields``."""
    meta = cls._meta
    pk_fields = meta.pk_fields
    non_pks_non_generated = [
        f for f in meta.local_concrete_fields if f not in pk_fields and not f.generated
    ]

    if update_fields:
        non_pks_non_generated = [
            f
            for f in non_pks_non_generated
            if f.name in update_fields or f.attname in update_fields
        ]

    if not self._is_pk_set(meta):
        pk_val = meta.pk.get_pk_value_on_save(self)
        setattr(self, meta.pk.attname, pk_val)
    pk_set = self._is_pk_set(meta)
    if not pk_set and (force_update or update_fields):
        raise ValueError("Cannot force an update in save() with no primary key.")
    updated = False
    # A new instance whose key has a default cannot match a row: go straight to the INSERT.
    if (
        not raw
        and not force_insert
        and not force_update
        and self._state.adding
        and all(f.has_default() or f.has_db_default() for f in meta.pk_fields)
    ):
        force_insert = True
    if pk_set and not force_insert:
        base_qs = cls._base_manager.using(using)
        values = [
            (f, None, await self._update_value(f, raw)) for f in non_pks_non_generated
        ]
        forced_update = update_fields or force_update
        pk_val = self._get_pk_val(meta)
        updated = await self._do_update(
            base_qs, using, pk_val, values, update_fields, forced_update
        )
        if force_update and not updated:
            raise DatabaseError("Forced update did not affect any rows.")
        if update_fields and not updated:
            raise DatabaseError("Save with update_fields did not affect any rows.")
    if not updated:
        if meta.order_with_respect_to:
            # The new row goes last among its siblings.
            field = meta.order_with_respect_to
            filter_args = field.get_filter_kwargs_for_object(self)
            self._order = (
                await cls._base_manager.using(using)
                .filter(**filter_args)
                .aggregate(
                    _order__max=Coalesce(
                        ExpressionWrapper(Max("_order") + Value(1), output_field=IntegerField()),
                        Value(0),
                    ),
                )
            )["_order__max"]
        fields = [
            f
            for f in meta.local_concrete_fields
            if not f.generated and (pk_set or f is not meta.auto_field)
        ]
        returning_fields = meta.db_returning_fields
        results = await self._do_insert(cls._base_manager, using, fields, returning_fields, raw)
        if results:
            for value, field in zip(results[0], returning_fields):
                setattr(self, field.attname, value)
    return updated


@override("Model.clean_fields", upstream="cb71230fa152")
async def clean_fields(self, exclude=None):
    # Upstream, as a coroutine: a model field's clean() is one (a foreign key's validation
    # queries), and `clean` is too common a method name for the graph to resolve `f.clean()`
    # by name (forms' fields have one too).
    if exclude is None:
        exclude = set()

    errors = {}
    for f in self._meta.fields:
        if f.name in exclude or f.generated:
            continue
        raw_value = getattr(self, f.attname)
        # Empty values of blank fields and database defaults are not validated.
        if f.blank and raw_value in f.empty_values:
            continue
        if isinstance(raw_value, DatabaseDefault):
            continue
        try:
            setattr(self, f.attname, await f.clean(raw_value, self))
        except ValidationError as e:
            errors[f.name] = e.error_list

    if errors:
        raise ValidationError(errors)
