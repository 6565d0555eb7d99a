"""Overrides of django.contrib.contenttypes.fields: generic relations that never query
behind the caller's back.

Upstream reads a content type (``ContentType.objects.get_for_model``, now a coroutine) from
sync code: descriptors, SQL building, prefetch key functions and the related manager's
constructor. Here those places read the manager's cache, or filter by a subquery that selects
the content type's id (``ContentTypeManager.lazy_id_for_model``); the coroutines that write
resolve the content type with ``await``. A generic foreign key assigned an object whose
content type is not cached yet gets it when the instance is saved
(``resolve_content_type``, called from ``Model._prepare_related_fields_for_save``).
"""

from teapot.db.models.fields.related_descriptors import deprecated_prefetch_queryset
from teapot.errors import AwaitRequired

from tools.codemod.overrides import override


@override("GenericForeignKey.get_forward_related_filter", upstream="858c8618caaa")
def get_forward_related_filter(self, obj):
    return {
        self.fk_field: obj.pk,
        self.ct_field: ContentType.objects.lazy_id_for_model(obj),
    }


@override("GenericForeignKey.get_prefetch_querysets", upstream="bb24c3562b54")
async def get_prefetch_querysets(self, instances, querysets=None):
    custom_queryset_dict = {}
    if querysets is not None:
        for queryset in querysets:
            ct_id = (await self.get_content_type(model=queryset.query.model, using=queryset.db)).pk
            if ct_id in custom_queryset_dict:
                raise ValueError("Only one queryset is allowed for each content type.")
            custom_queryset_dict[ct_id] = queryset

    # One query per content type, on the database of an instance of that group.
    fk_dict = defaultdict(set)
    instance_dict = {}
    ct_attname = self.model._meta.get_field(self.ct_field).attname
    for instance in instances:
        ct_id = getattr(instance, ct_attname)
        if ct_id is not None:
            fk_val = getattr(instance, self.fk_field)
            if fk_val is not None:
                fk_dict[ct_id].add(fk_val)
                instance_dict[ct_id] = instance

    ret_val = []
    models_by_ct = {}
    for ct_id, fkeys in fk_dict.items():
        instance = instance_dict[ct_id]
        ct = await self.get_content_type(id=ct_id, using=instance._state.db)
        models_by_ct[ct_id] = ct.model_class()
        if ct_id in custom_queryset_dict:
            queryset = custom_queryset_dict[ct_id].filter(pk__in=fkeys)
        else:
            queryset = ct.get_all_objects_for_this_type(pk__in=fkeys)
        ret_val.extend([obj async for obj in queryset])

    # The key function runs sync: it reads the models found above (an instance whose
    # object id is None, or whose content type is stale, matches nothing).
    def gfk_key(obj):
        model = models_by_ct.get(getattr(obj, ct_attname))
        if model is None:
            return None
        return (model._meta.pk.get_prep_value(getattr(obj, self.fk_field)), model)

    async def rows():
        for obj in ret_val:
            yield obj

    return (rows(), lambda obj: (obj.pk, obj.__class__), gfk_key, True, self.name, False)


@override("GenericForeignKey.__get__", upstream="762113e9be84")
def __get__(self, instance, cls=None):
    if instance is None:
        return self
    f = self.model._meta.get_field(self.ct_field)
    ct_id = getattr(instance, f.attname, None)
    pk_val = getattr(instance, self.fk_field)

    rel_obj = self.get_cached_value(instance, default=None)
    if rel_obj is None and FieldCacheMixin.is_cached(self, instance):
        return rel_obj
    if rel_obj is not None:
        if ct_id is None:
            # Assigned while its content type was not cached: save() resolves it.
            return rel_obj
        ct = ContentType.objects.db_manager(instance._state.db).cached_for_model(rel_obj, self.for_concrete_model)
        ct_match = ct is None or ct.id == ct_id
        if ct_match and rel_obj._meta.pk.to_python(pk_val) == rel_obj.pk:
            return rel_obj
    if ct_id is None:
        self.set_cached_value(instance, None)
        return None
    raise AwaitRequired(
        f"{instance.__class__.__name__}.{self.name} is not loaded and reading it would run a query: "
        f"use prefetch_related({self.name!r}) on the queryset, or "
        f"`await aprefetch_related_objects([obj], {self.name!r})`."
    )


@override("GenericForeignKey.is_cached", new=True)
def is_cached(self, instance):
    """Whether the cached object is still the one the content type and object id name: a
    stale one (the ids changed since) is not, so prefetching reads the current object."""
    if not FieldCacheMixin.is_cached(self, instance):
        return False
    rel_obj = self.get_cached_value(instance)
    ct_id = getattr(instance, self.model._meta.get_field(self.ct_field).attname, None)
    if rel_obj is None or ct_id is None:
        return True
    ct = ContentType.objects.db_manager(instance._state.db).cached_for_model(rel_obj, self.for_concrete_model)
    if ct is not None and ct.id != ct_id:
        return False
    return rel_obj._meta.pk.to_python(getattr(instance, self.fk_field)) == rel_obj.pk


@override("GenericForeignKey.__set__", upstream="1a26f5ff85f2")
def __set__(self, instance, value):
    ct = None
    fk = None
    if value is not None:
        # None when the cache lacks it: resolve_content_type sets it before the save.
        ct = ContentType.objects.db_manager(value._state.db).cached_for_model(value, self.for_concrete_model)
        fk = value.pk

    setattr(instance, self.ct_field, ct)
    setattr(instance, self.fk_field, fk)
    self.set_cached_value(instance, value)


@override("GenericForeignKey.resolve_content_type", new=True)
async def resolve_content_type(self, instance):
    """Set the content type (and object id) of an object assigned without its content type."""
    obj = self.get_cached_value(instance, default=None)
    ct_attname = self.model._meta.get_field(self.ct_field).attname
    if obj is not None and getattr(instance, ct_attname) is None:
        setattr(instance, self.ct_field, await self.get_content_type(obj=obj))
        setattr(instance, self.fk_field, obj.pk)


@override("GenericRelation.get_extra_restriction", upstream="9091fae3dd10")
def get_extra_restriction(self, alias, remote_alias):
    field = self.remote_field.model._meta.get_field(self.content_type_field_name)
    contenttype_pk = ContentType.objects.lazy_id_for_model(self.model, for_concrete_model=self.for_concrete_model)
    lookup = field.get_lookup("exact")(field.get_col(remote_alias), contenttype_pk)
    return WhereNode([lookup], connector=AND)


@override("GenericRelation.bulk_related_objects", upstream="c5551f4f0f1c")
def bulk_related_objects(self, objs, using=DEFAULT_DB_ALIAS):
    cts = ContentType.objects.db_manager(using)
    return self.remote_field.model._base_manager.db_manager(using).filter(
        **{
            "%s__pk" % self.content_type_field_name: cts.lazy_id_for_model(
                self.model, for_concrete_model=self.for_concrete_model
            ),
            "%s__in" % self.object_id_field_name: [obj.pk for obj in objs],
        }
    )


@override("create_generic_related_manager.GenericRelatedObjectManager.__init__", upstream="71a3d3e7800b")
def __init__(self, instance=None):
    super().__init__()

    self.instance = instance

    self.model = rel.model
    cts = ContentType.objects.db_manager(instance._state.db)
    self.get_content_type = functools.partial(cts.get_for_model, for_concrete_model=rel.field.for_concrete_model)
    # None until a write needs it (_content_type_for_write); reads filter by its id or a subquery.
    self.content_type = cts.cached_for_model(instance, rel.field.for_concrete_model)
    self.content_type_field_name = rel.field.content_type_field_name
    self.object_id_field_name = rel.field.object_id_field_name
    self.prefetch_cache_name = rel.field.attname
    self.pk_val = instance.pk

    self.core_filters = {
        "%s__pk" % self.content_type_field_name: cts.lazy_id_for_model(instance, rel.field.for_concrete_model),
        self.object_id_field_name: self.pk_val,
    }


@override("create_generic_related_manager.GenericRelatedObjectManager._content_type_for_write", new=True)
async def _content_type_for_write(self):
    if self.content_type is None:
        self.content_type = await self.get_content_type(self.instance)
    return self.content_type


@override("create_generic_related_manager.GenericRelatedObjectManager.get_prefetch_querysets", upstream="7768bcb734f8")
async def get_prefetch_querysets(self, instances, querysets=None):
    if querysets and len(querysets) != 1:
        raise ValueError("querysets argument of get_prefetch_querysets() should have a length of 1.")
    queryset = querysets[0] if querysets else super().get_queryset()
    queryset._add_hints(instance=instances[0])
    queryset = queryset.using(queryset._db or self._db)
    # The content type ids, read before the sync key functions need them.
    ct_ids = {}
    for obj in instances:
        if type(obj) not in ct_ids:
            ct_ids[type(obj)] = (await self.get_content_type(obj)).pk
    content_type_queries = [
        models.Q.create(
            [
                (f"{self.content_type_field_name}__pk", content_type_id),
                (f"{self.object_id_field_name}__in", {obj.pk for obj in objs}),
            ]
        )
        for content_type_id, objs in itertools.groupby(
            sorted(instances, key=lambda obj: ct_ids[type(obj)]),
            lambda obj: ct_ids[type(obj)],
        )
    ]
    query = models.Q.create(content_type_queries, connector=models.Q.OR)
    object_id_converter = instances[0]._meta.pk.to_python
    content_type_id_field_name = "%s_id" % self.content_type_field_name
    return (
        queryset.filter(query),
        lambda relobj: (
            object_id_converter(getattr(relobj, self.object_id_field_name)),
            getattr(relobj, content_type_id_field_name),
        ),
        lambda obj: (obj.pk, ct_ids[type(obj)]),
        False,
        self.prefetch_cache_name,
        False,
    )


@override("create_generic_related_manager.GenericRelatedObjectManager.add", upstream="6f1cc7909921")
async def add(self, *objs, bulk=True):
    self._remove_prefetched_objects()
    db = router.db_for_write(self.model, instance=self.instance)
    content_type = await self._content_type_for_write()

    def check_and_update_obj(obj):
        if not isinstance(obj, self.model):
            raise TypeError("'%s' instance expected, got %r" % (self.model._meta.object_name, obj))
        setattr(obj, self.content_type_field_name, content_type)
        setattr(obj, self.object_id_field_name, self.pk_val)

    if bulk:
        pks = []
        for obj in objs:
            if obj._state.adding or obj._state.db != db:
                raise ValueError("%r instance isn't saved. Use bulk=False or save the object first." % obj)
            check_and_update_obj(obj)
            pks.append(obj.pk)

        await self.model._base_manager.using(db).filter(pk__in=pks).update(
            **{
                self.content_type_field_name: content_type,
                self.object_id_field_name: self.pk_val,
            }
        )
    else:
        async with transaction.atomic(using=db, savepoint=False):
            for obj in objs:
                check_and_update_obj(obj)
                await obj.save()


@override("create_generic_related_manager.GenericRelatedObjectManager.create", upstream="95b8d54ea410")
async def create(self, **kwargs):
    self._remove_prefetched_objects()
    kwargs[self.content_type_field_name] = await self._content_type_for_write()
    kwargs[self.object_id_field_name] = self.pk_val
    db = router.db_for_write(self.model, instance=self.instance)
    return await super().using(db).create(**kwargs)


@override("create_generic_related_manager.GenericRelatedObjectManager.get_or_create", upstream="7c28187d250d")
async def get_or_create(self, **kwargs):
    kwargs[self.content_type_field_name] = await self._content_type_for_write()
    kwargs[self.object_id_field_name] = self.pk_val
    db = router.db_for_write(self.model, instance=self.instance)
    return await super().using(db).get_or_create(**kwargs)


@override("create_generic_related_manager.GenericRelatedObjectManager.update_or_create", upstream="aec20f37145c")
async def update_or_create(self, **kwargs):
    kwargs[self.content_type_field_name] = await self._content_type_for_write()
    kwargs[self.object_id_field_name] = self.pk_val
    db = router.db_for_write(self.model, instance=self.instance)
    return await super().using(db).update_or_create(**kwargs)


@override("create_generic_related_manager.GenericRelatedObjectManager.set", upstream="97cf70886386")
async def set(self, objs, *, bulk=True, clear=False):
    from teapot.db.models.fields.related_descriptors import materialize, replace_related_objects

    # Read before clear(): the queryset may select through this very relation. Upstream
    # clears and removes with their own bulk default.
    objs = await materialize(objs)
    db = router.db_for_write(self.model, instance=self.instance)
    await replace_related_objects(self, objs, db, clear=clear, bulk_clear=None, bulk_remove=None, bulk_add=bulk)


@override("GenericForeignKey.get_prefetch_queryset", upstream="bb0872a39560")
async def get_prefetch_queryset(self, instances, queryset=None):
    return await deprecated_prefetch_queryset(self, instances, queryset)


@override("create_generic_related_manager.GenericRelatedObjectManager.get_prefetch_queryset", upstream="bb0872a39560")
async def get_prefetch_queryset(self, instances, queryset=None):
    return await deprecated_prefetch_queryset(self, instances, queryset)
