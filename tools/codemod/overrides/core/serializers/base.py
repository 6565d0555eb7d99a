"""Overrides of django.core.serializers.base: deserializers are asynchronous iterators.

Building an instance may look a natural key up, so a deserializer yields its objects to
``async for`` (the sync ``__iter__``/``__next__`` are dropped in rules.toml).

``Serializer.serialize()`` stays sync and reads loaded values only. ``aserialize()`` runs the
queries Django's serialize() runs behind attribute reads, object by object and in the same
order, before the sync code writes the object: the queryset itself, each deferred field it
writes, the many-to-many values not prefetched (primary keys only unless natural keys are
written) and, with natural foreign keys, each related object not loaded. Both share the
per-object code (``serialize_object``), so they cannot drift apart.
"""

from tools.codemod.overrides import override


@override("Deserializer.__aiter__", new=True)
def __aiter__(self):
    return self


@override("Deserializer.__anext__", new=True)
async def __anext__(self):
    raise NotImplementedError("subclasses of Deserializer must provide an __anext__() method")


@override("DeserializedObject.save", upstream="517348c3d3ff")
async def save(self, save_m2m=True, using=None, **kwargs):
    # Model.save_base itself, raw: a model's own save() is bypassed.
    await models.Model.save_base(self.object, using=using, raw=True, **kwargs)
    if self.m2m_data and save_m2m:
        for accessor_name, object_list in self.m2m_data.items():
            await getattr(self.object, accessor_name).set(object_list)
    # Saved once: a second save() does not set the many-to-many values again.
    self.m2m_data = None


@override("deserialize_m2m_values", upstream="44616954550c")
async def deserialize_m2m_values(field, field_value, using, handle_forward_references):
    model = field.remote_field.model
    manager = model._default_manager
    natural = hasattr(manager, "get_by_natural_key")
    try:
        pks = iter(field_value)
    except TypeError as e:
        raise M2MDeserializationError(e, field_value)
    values = []
    pk = None
    try:
        for pk in pks:
            if natural and hasattr(pk, "__iter__") and not isinstance(pk, str):
                values.append((await manager.db_manager(using).get_by_natural_key(*pk)).pk)
            else:
                values.append(model._meta.pk.to_python(pk))
    except Exception as e:
        if isinstance(e, ObjectDoesNotExist) and handle_forward_references:
            return DEFER_FIELD
        raise M2MDeserializationError(e, pk)
    return values


@override("Serializer.loaded_m2m_values", new=True)
def loaded_m2m_values(self, obj, field):
    """The related objects of ``obj``'s many-to-many ``field`` from its prefetch cache:
    serializing is sync, and reading the relation would run a query."""
    from teapot.errors import AwaitRequired

    loaded = getattr(self, "_loaded_m2m", None) or {}
    if field.name in loaded:
        return loaded[field.name]  # read by aserialize() for this object
    try:
        return obj._prefetched_objects_cache[field.name]
    except (AttributeError, KeyError):
        raise AwaitRequired(
            f"serializing {obj.__class__.__name__}.{field.name} needs its values loaded: use "
            f"prefetch_related({field.name!r}) on the queryset, or leave the field out (fields=...)."
        ) from None


@override("Serializer.serialize", upstream="c791304c6d5b")
def serialize(
    self,
    queryset,
    *,
    stream=None,
    fields=None,
    use_natural_foreign_keys=False,
    use_natural_primary_keys=False,
    progress_output=None,
    object_count=0,
    **options,
):
    """Write ``queryset`` (any iterable of model instances) from loaded values: a value that
    is not loaded raises ``AwaitRequired`` (``aserialize()`` loads it)."""
    progress_bar = self.begin_serializing(
        stream, fields, use_natural_foreign_keys, use_natural_primary_keys, progress_output, object_count, options
    )
    for count, obj in enumerate(queryset, start=1):
        self.serialize_object(obj)
        progress_bar.update(count)
    self.end_serialization()
    return self.getvalue()


@override("Serializer.aserialize", new=True)
async def aserialize(
    self,
    queryset,
    *,
    stream=None,
    fields=None,
    use_natural_foreign_keys=False,
    use_natural_primary_keys=False,
    progress_output=None,
    object_count=0,
    **options,
):
    """``serialize()`` for objects whose values may not be loaded: a queryset is evaluated
    (or an async iterable stepped), and what each object's written values need is loaded
    before the object is written."""
    progress_bar = self.begin_serializing(
        stream, fields, use_natural_foreign_keys, use_natural_primary_keys, progress_output, object_count, options
    )
    count = 0
    async for obj in serialized_objects(queryset):
        count += 1
        self._loaded_m2m = await self.load_serialized_values(obj)
        try:
            self.serialize_object(obj)
        finally:
            self._loaded_m2m = {}
        progress_bar.update(count)
    self.end_serialization()
    return self.getvalue()


@override("Serializer.begin_serializing", new=True)
def begin_serializing(
    self, stream, fields, use_natural_foreign_keys, use_natural_primary_keys, progress_output, object_count, options
):
    """The options of one serialize()/aserialize() run; starts the output and gives the
    progress bar."""
    self.options = options
    self.stream = stream if stream is not None else self.stream_class()
    self.selected_fields = fields
    self.use_natural_foreign_keys = use_natural_foreign_keys
    self.use_natural_primary_keys = use_natural_primary_keys
    self._loaded_m2m = {}
    progress_bar = self.progress_class(progress_output, object_count)
    self.start_serialization()
    self.first = True
    return progress_bar


@override("Serializer.written_fields", new=True)
def written_fields(self, obj):
    """``(kind, field)`` for each field of ``obj`` that is written, in the order it is
    written; kind is "field", "fk" or "m2m". A proxy model's object is written with its
    concrete model's fields; with natural primary keys a multi-table child also writes its
    link to the parent, without which it could not be read back."""
    concrete_model = obj._meta.concrete_model
    pk_parent = None
    if self.use_natural_primary_keys:
        pk = concrete_model._meta.pk
        if pk.remote_field and pk.remote_field.parent_link:
            pk_parent = pk
    selected = self.selected_fields
    for field in concrete_model._meta.local_fields:
        if not (field.serialize or field is pk_parent):
            continue
        if field.remote_field is None:
            if selected is None or field.attname in selected:
                yield "field", field
        elif selected is None or field.attname[:-3] in selected:
            yield "fk", field
    for field in concrete_model._meta.local_many_to_many:
        if field.serialize and (selected is None or field.attname in selected):
            yield "m2m", field


@override("Serializer.serialize_object", new=True)
def serialize_object(self, obj):
    """Write one object from its loaded values."""
    self.start_object(obj)
    for kind, field in self.written_fields(obj):
        if kind == "field":
            self.handle_field(obj, field)
        elif kind == "fk":
            self.handle_fk_field(obj, field)
        else:
            self.handle_m2m_field(obj, field)
    self.end_object(obj)
    self.first = False


@override("Serializer.load_serialized_values", new=True)
async def load_serialized_values(self, obj):
    """Load what writing ``obj`` reads and is not loaded, with the queries (and in the order)
    Django runs while it writes the object. Returns the many-to-many values read, by field
    name; they are kept for this object's writing only, not put in the object's prefetch
    cache (they hold primary keys only)."""
    from teapot.db.models import aprefetch_related_objects
    from teapot.errors import AwaitRequired

    deferred = obj.get_deferred_fields()
    prefetched = getattr(obj, "_prefetched_objects_cache", {})
    m2m = {}
    for kind, field in self.written_fields(obj):
        if kind == "m2m":
            if not field.remote_field.through._meta.auto_created or field.name in prefetched:
                continue
            related = getattr(obj, field.name)
            if self.use_natural_foreign_keys and hasattr(field.remote_field.model, "natural_key"):
                m2m[field.name] = await related.all()
            else:
                m2m[field.name] = await related.select_related(None).only("pk")
            continue
        if field.attname in deferred:
            await obj.refresh_from_db(fields=[field.attname])
        if (
            kind == "fk"
            and self.use_natural_foreign_keys
            and hasattr(field.remote_field.model, "natural_key")
            and getattr(obj, field.attname) is not None
            and not field.is_cached(obj)
        ):
            try:
                getattr(obj, field.name)
            except AwaitRequired:
                await aprefetch_related_objects([obj], field.name)
    return m2m


@override("serialized_objects", new=True)
async def serialized_objects(objects):
    """The objects given to aserialize(), one by one: a queryset is evaluated first (with its
    prefetches), an async iterable (a raw queryset, an ``iterator()`` stream) is stepped, any
    other iterable is iterated."""
    if isinstance(objects, models.QuerySet):
        if objects._result_cache is None or (objects._prefetch_related_lookups and not objects._prefetch_done):
            await objects
        for obj in objects:
            yield obj
    elif hasattr(objects, "__aiter__") and not isinstance(objects, type):
        async for obj in objects:
            yield obj
    else:
        for obj in objects:
            yield obj
