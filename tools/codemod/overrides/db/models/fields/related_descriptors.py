"""Overrides of django.db.models.fields.related_descriptors: relation access never queries.

A related object is read from what select_related, prefetch_related or an assignment left
in the instance's cache. When it is not there, teapot raises AwaitRequired instead of
running a query behind the caller's back.
"""

from teapot.deferred_loads import load_deferred
from teapot.errors import AwaitRequired

from tools.codemod.overrides import override


@override("not_loaded", new=True)
def not_loaded(instance, name):
    return AwaitRequired(
        f"{instance.__class__.__name__}.{name} is not loaded and reading it would run a query: "
        f"use select_related({name!r}) or prefetch_related({name!r}) on the queryset, or "
        f"`await aprefetch_related_objects([obj], {name!r})`.",
        instance=instance,
        attribute=name,
    )


@override("ForwardManyToOneDescriptor.__get__", upstream="2675957a63f8")
def __get__(self, instance, cls=None):
    if instance is None:
        return self
    try:
        rel_obj = self.field.get_cached_value(instance)
    except KeyError:
        has_value = None not in self.field.get_local_related_value(instance)
        ancestor_link = instance._meta.get_ancestor_link(self.field.model) if has_value else None
        if ancestor_link and ancestor_link.is_cached(instance):
            # Cached on a multi-table inheritance parent walked down from.
            ancestor = ancestor_link.get_cached_value(instance)
            rel_obj = self.field.get_cached_value(ancestor, default=None)
        else:
            rel_obj = None
        if rel_obj is None and has_value:
            rel_obj = self.object_without_query(instance)
            if rel_obj is None:
                raise not_loaded(instance, self.field.name)
            if not self.field.remote_field.multiple:
                self.field.remote_field.set_cached_value(rel_obj, instance)
        self.field.set_cached_value(instance, rel_obj)
    if rel_obj is None and not self.field.null:
        raise self.RelatedObjectDoesNotExist("%s has no %s." % (self.field.model.__name__, self.field.name))
    return rel_obj


@override("ReverseOneToOneDescriptor.__get__", upstream="c74ac00573d9")
def __get__(self, instance, cls=None):
    if instance is None:
        return self
    try:
        rel_obj = self.related.get_cached_value(instance)
    except KeyError:
        if instance._is_pk_set():
            raise not_loaded(instance, self.related.accessor_name)
        rel_obj = None
        self.related.set_cached_value(instance, rel_obj)
    if rel_obj is None:
        raise self.RelatedObjectDoesNotExist(
            "%s has no %s." % (instance.__class__.__name__, self.related.accessor_name)
        )
    return rel_obj


@override("ForwardManyToOneDescriptor.object_without_query", new=True)
def object_without_query(self, instance):
    """The related object when it can be built from the instance's own fields, else None."""
    return None


@override("ForwardOneToOneDescriptor.object_without_query", new=True)
def object_without_query(self, instance):
    # A parent link: every field of the parent is loaded on the child.
    if self.field.remote_field.parent_link:
        deferred = instance.get_deferred_fields()
        rel_model = self.field.remote_field.model
        fields = [field.attname for field in rel_model._meta.concrete_fields]
        if not any(field in fields for field in deferred):
            obj = rel_model(**{field: getattr(instance, field) for field in fields})
            obj._state.adding = instance._state.adding
            obj._state.db = instance._state.db
            return obj
    return None


@override("create_forward_many_to_many_manager.ManyRelatedManager._get_missing_target_ids", upstream="e9eeb0d5f8d0")
async def _get_missing_target_ids(self, source_field_name, target_field_name, db, target_ids):
    """The ids of ``target_ids`` the relation does not hold yet: one query, awaited (upstream
    lets ``set.difference`` iterate the queryset), so that its statement is reused per shape."""
    present = (
        self.through._default_manager.using(db)
        .values_list(target_field_name, flat=True)
        .filter(**{source_field_name: self.related_val[0], "%s__in" % target_field_name: target_ids})
    )
    return target_ids.difference(await present)


@override("materialize", new=True)
async def materialize(objs):
    """``objs`` as a tuple; a queryset is read with ``async for`` (upstream's ``tuple()``
    would iterate it synchronously)."""
    if isinstance(objs, QuerySet):
        return tuple([obj async for obj in objs])
    return tuple(objs)


@override("deprecated_prefetch_queryset", new=True)
async def deprecated_prefetch_queryset(relation, instances, queryset):
    """The deprecated ``get_prefetch_queryset()`` of every relation. ``instances`` may be
    an unevaluated queryset: it is read here, since the prefetch code indexes and iterates
    it, which would query synchronously."""
    warnings.warn(
        "get_prefetch_queryset() is deprecated. Use get_prefetch_querysets() instead.",
        RemovedInDjango60Warning,
        stacklevel=3,  # the caller of the relation's get_prefetch_queryset()
    )
    instances = await materialize(instances)
    if queryset is None:
        return await relation.get_prefetch_querysets(instances)
    return await relation.get_prefetch_querysets(instances, [queryset])


@override("replace_related_objects", new=True)
async def replace_related_objects(manager, objs, db, *, clear, bulk_clear, bulk_remove, bulk_add):
    """The objects of a one-to-many relation (a reverse foreign key, a generic relation)
    become ``objs``: cleared and added when ``clear``, else only the difference is removed
    and added. The ``bulk_*`` arguments are passed on, None leaves them out."""

    def bulk(value):
        return {} if value is None else {"bulk": value}

    async with transaction.atomic(using=db, savepoint=False):
        if clear:
            await manager.clear(**bulk(bulk_clear))
            await manager.add(*objs, **bulk(bulk_add))
            return
        old_objs = {obj async for obj in manager.using(db).all()}
        new_objs = []
        for obj in objs:
            if obj in old_objs:
                old_objs.remove(obj)
            else:
                new_objs.append(obj)
        await manager.remove(*old_objs, **bulk(bulk_remove))
        await manager.add(*new_objs, **bulk(bulk_add))


@override("create_reverse_many_to_one_manager.RelatedManager.set", upstream="c0157cd01f8a")
async def set(self, objs, *, bulk=True, clear=False):
    self._check_fk_val()
    # Read before clear(): the queryset may select through this very relation.
    objs = await materialize(objs)
    if not self.field.null:
        await self.add(*objs, bulk=bulk)
        return
    db = router.db_for_write(self.model, instance=self.instance)
    await replace_related_objects(self, objs, db, clear=clear, bulk_clear=bulk, bulk_remove=bulk, bulk_add=bulk)


@override("create_forward_many_to_many_manager.ManyRelatedManager.set", upstream="798fdcade4ad")
async def set(self, objs, *, clear=False, through_defaults=None):
    # Read before clear(): the queryset may select through this very relation.
    objs = await materialize(objs)
    db = router.db_for_write(self.through, instance=self.instance)
    async with transaction.atomic(using=db, savepoint=False):
        if clear:
            await self.clear()
            await self.add(*objs, through_defaults=through_defaults)
            return
        target = self.target_field
        old_ids = {value async for value in self.using(db).values_list(target.target_field.attname, flat=True)}
        new_objs = []
        for obj in objs:
            if isinstance(obj, self.model):
                fk_val = target.get_foreign_related_value(obj)[0]
            else:
                fk_val = target.get_prep_value(obj)
            if fk_val in old_ids:
                old_ids.remove(fk_val)
            else:
                new_objs.append(obj)
        await self.remove(*old_ids)
        await self.add(*new_objs, through_defaults=through_defaults)


@override("ForwardManyToOneDescriptor.get_prefetch_querysets", upstream="962dd6d7693f")
async def get_prefetch_querysets(self, instances, querysets=None):
    """The query that prefetches this relation for ``instances`` and how to match its rows
    to them. An instance whose foreign key was deferred has it loaded first (one query per
    instance, as Django's attribute read runs), since the key says which row it gets."""
    if querysets and len(querysets) != 1:
        raise ValueError(
            "querysets argument of get_prefetch_querysets() should have a length "
            "of 1."
        )
    queryset = querysets[0] if querysets else self.get_queryset()
    queryset._add_hints(instance=instances[0])

    rel_obj_attr = self.field.get_foreign_related_value
    instance_attr = self.field.get_local_related_value
    local_attnames = [field.attname for field in self.field.local_related_fields]
    for inst in instances:
        await load_deferred(inst, local_attnames)
    instances_dict = {instance_attr(inst): inst for inst in instances}
    remote_field = self.field.remote_field
    related_fields = [
        queryset.query.resolve_ref(field.name).target
        for field in self.field.foreign_related_fields
    ]
    queryset = queryset.filter(
        TupleIn(
            ColPairs(
                queryset.model._meta.db_table,
                related_fields,
                related_fields,
                self.field,
            ),
            list(instances_dict),
        )
    )
    # At most one row per instance: drop the ordering where that changes nothing else.
    queryset.query.clear_ordering()

    # The rows go straight into the instances' caches, so the reverse side (one-to-one)
    # is cached here by hand.
    if not remote_field.multiple:
        async for rel_obj in queryset:
            instance = instances_dict[rel_obj_attr(rel_obj)]
            remote_field.set_cached_value(rel_obj, instance)
    return (
        queryset,
        rel_obj_attr,
        instance_attr,
        True,
        self.field.cache_name,
        False,
    )


@override("ForwardManyToOneDescriptor.get_prefetch_queryset", upstream="bb0872a39560")
async def get_prefetch_queryset(self, instances, queryset=None):
    return await deprecated_prefetch_queryset(self, instances, queryset)


@override("ReverseOneToOneDescriptor.get_prefetch_queryset", upstream="bb0872a39560")
async def get_prefetch_queryset(self, instances, queryset=None):
    return await deprecated_prefetch_queryset(self, instances, queryset)


@override("create_reverse_many_to_one_manager.RelatedManager.get_prefetch_queryset", upstream="bb0872a39560")
async def get_prefetch_queryset(self, instances, queryset=None):
    return await deprecated_prefetch_queryset(self, instances, queryset)


@override("create_forward_many_to_many_manager.ManyRelatedManager.get_prefetch_queryset", upstream="bb0872a39560")
async def get_prefetch_queryset(self, instances, queryset=None):
    return await deprecated_prefetch_queryset(self, instances, queryset)


@override("many_to_many_layout", new=True)
def many_to_many_layout(rel, reverse):
    """A many-to-many manager's attributes that depend on the relation and its side only,
    with the ``(filter key, attname)`` pairs of its instance filter and the names of the
    fields those read: (attributes, core_filter_attnames, pk_field_names)."""
    field = rel.field
    if reverse:
        names = (field.name, field.related_query_name(), field.m2m_reverse_field_name(), field.m2m_field_name())
        attributes = {"model": rel.related_model, "symmetrical": False}
    else:
        names = (field.related_query_name(), field.name, field.m2m_field_name(), field.m2m_reverse_field_name())
        attributes = {"model": rel.model, "symmetrical": rel.symmetrical}
    query_field_name, prefetch_cache_name, source_field_name, target_field_name = names
    source_field = rel.through._meta.get_field(source_field_name)
    attributes.update(
        query_field_name=query_field_name,
        prefetch_cache_name=prefetch_cache_name,
        source_field_name=source_field_name,
        target_field_name=target_field_name,
        through=rel.through,
        reverse=reverse,
        source_field=source_field,
        target_field=rel.through._meta.get_field(target_field_name),
    )
    pairs = source_field.related_fields
    core_filter_attnames = tuple((f"{query_field_name}__{rh_field.name}", rh_field.attname) for _, rh_field in pairs)
    pk_field_names = {lh_field.name: rh_field.name for lh_field, rh_field in pairs}
    return attributes, core_filter_attnames, pk_field_names


@override("create_forward_many_to_many_manager.ManyRelatedManager.__init__", upstream="6ceeacc2aa61")
def __init__(self, instance=None):
    super().__init__()
    self.instance = instance
    # A manager is made at every `obj.tags` (and for each object a prefetch fills): what does
    # not depend on the instance is worked out once per manager class.
    layout = type(self).__dict__.get("_many_to_many_layout")
    if layout is None:
        layout = many_to_many_layout(rel, reverse)
        type(self)._many_to_many_layout = layout
    attributes, core_filter_attnames, pk_field_names = layout
    self.__dict__.update(attributes)
    self.core_filters = {key: getattr(instance, attname) for key, attname in core_filter_attnames}
    self.pk_field_names = dict(pk_field_names)
    self.related_val = self.source_field.get_foreign_related_value(instance)
    if None in self.related_val:
        raise ValueError(
            '"%r" needs to have a value for field "%s" before '
            "this many-to-many relationship can be used." % (instance, self.pk_field_names[self.source_field_name])
        )
    if not instance._is_pk_set():
        raise ValueError(
            "%r instance needs to have a primary key value before a many-to-many relationship can be used."
            % instance.__class__.__name__
        )
