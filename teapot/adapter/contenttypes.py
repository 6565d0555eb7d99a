"""contrib.contenttypes on teapot: an async ContentType manager and GenericForeignKey.
Hand-written.

Adapting ``contenttypes.ContentType`` copies the model; the manager methods that query get
the async versions below (``await ContentType.objects.get_for_model(Model)``), sharing
Django's cache layout (``_cache[db][(app_label, model)]`` and ``_cache[db][id]``).

``GenericForeignKey`` follows teapot's rule for relations: reading one that is not loaded
raises AwaitRequired; ``prefetch_related("content_object")`` (or
``await aprefetch_related_objects(objs, "content_object")``) loads it. Assigning an object
needs its content type, which must be in the manager's cache (any ``get_for_model`` call for
that model puts it there).
"""

from __future__ import annotations

from collections import defaultdict

from teapot.db.models.fields import Field
from teapot.db.models.fields.mixins import FieldCacheMixin
from teapot.errors import AwaitRequired
from teapot.utils.functional import cached_property


async def get_by_natural_key(self, app_label, model):
    cache = self._cache.setdefault(self.db, {})
    ct = cache.get((app_label, model))
    if ct is None:
        ct = await self.get(app_label=app_label, model=model)
        self._add_to_cache(self.db, ct)
    return ct


async def get_for_model(self, model, for_concrete_model=True):
    opts = self._get_opts(model, for_concrete_model)
    ct = self._cache.setdefault(self.db, {}).get((opts.app_label, opts.model_name))
    if ct is None:
        # get() first, so a router's db_for_read is used when the row exists.
        try:
            ct = await self.get(app_label=opts.app_label, model=opts.model_name)
        except self.model.DoesNotExist:
            ct, _ = await self.get_or_create(app_label=opts.app_label, model=opts.model_name)
        self._add_to_cache(self.db, ct)
    return ct


async def get_for_models(self, *models, for_concrete_models=True):
    return {model: await self.get_for_model(model, for_concrete_models) for model in models}


async def get_for_id(self, id):
    ct = self._cache.setdefault(self.db, {}).get(id)
    if ct is None:
        ct = await self.get(pk=id)
        self._add_to_cache(self.db, ct)
    return ct


def cached_for_model(self, model, for_concrete_model=True):
    """The content type of ``model`` if this manager's cache has it, else None (no query)."""
    opts = self._get_opts(model, for_concrete_model)
    return self._cache.get(self.db, {}).get((opts.app_label, opts.model_name))


REPLACEMENTS = {
    ("django.contrib.contenttypes.models.ContentTypeManager", name): function
    for name, function in {
        "get_by_natural_key": get_by_natural_key,
        "get_for_model": get_for_model,
        "get_for_models": get_for_models,
        "get_for_id": get_for_id,
        "cached_for_model": cached_for_model,
    }.items()
}


class _Rows:
    """Prefetched objects, iterable with ``async for`` as prefetch expects of a queryset."""

    def __init__(self, rows):
        self.rows = rows

    def __aiter__(self):
        return self._iterate()

    async def _iterate(self):
        for row in self.rows:
            yield row


class GenericForeignKey(FieldCacheMixin, Field):
    """A relation to any model, stored as a content type and an object id."""

    many_to_many = False
    many_to_one = True
    one_to_many = False
    one_to_one = False

    def __init__(self, ct_field="content_type", fk_field="object_id", for_concrete_model=True):
        super().__init__(editable=False)
        self.ct_field = ct_field
        self.fk_field = fk_field
        self.for_concrete_model = for_concrete_model
        self.is_relation = True

    def contribute_to_class(self, cls, name, **kwargs):
        super().contribute_to_class(cls, name, private_only=True, **kwargs)
        setattr(cls, self.attname, self)

    def get_attname_column(self):
        attname, _ = super().get_attname_column()
        return attname, None  # no column of its own

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("editable", None)
        kwargs.update(ct_field=self.ct_field, fk_field=self.fk_field)
        if not self.for_concrete_model:
            kwargs["for_concrete_model"] = False
        return name, path, args, kwargs

    def check(self, **kwargs):
        return [*self._check_field_name()]

    @cached_property
    def cache_name(self):
        return self.name

    def _content_types(self, using=None):
        manager = self.model._meta.get_field(self.ct_field).remote_field.model._default_manager
        return manager.db_manager(using) if using else manager

    def _ct_attname(self):
        return self.model._meta.get_field(self.ct_field).attname

    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        ct_id = getattr(instance, self._ct_attname(), None)
        pk_value = getattr(instance, self.fk_field)
        if self.is_cached(instance):
            rel_obj = self.get_cached_value(instance)
            if rel_obj is None:
                return None
            ct = self._content_types(instance._state.db).cached_for_model(rel_obj, self.for_concrete_model)
            if ct is not None and ct.pk == ct_id and rel_obj._meta.pk.to_python(pk_value) == rel_obj.pk:
                return rel_obj
        if ct_id is None:
            return None
        from teapot.db.models.fields.related_descriptors import not_loaded

        raise not_loaded(instance, self.name)

    def __set__(self, instance, value):
        ct = pk = None
        if value is not None:
            ct = self._content_types(value._state.db).cached_for_model(value, self.for_concrete_model)
            if ct is None:
                raise AwaitRequired(
                    f"the content type of {type(value).__name__} is not loaded yet: "
                    f"`await ContentType.objects.get_for_model({type(value).__name__})` first, or set "
                    f"{self.ct_field} and {self.fk_field} yourself."
                )
            pk = value.pk
        setattr(instance, self.ct_field, ct)
        setattr(instance, self.fk_field, pk)
        self.set_cached_value(instance, value)

    async def get_prefetch_querysets(self, instances, querysets=None):
        custom = {}
        for queryset in querysets or ():
            ct = await self._content_types(queryset.db).get_for_model(queryset.model, self.for_concrete_model)
            if ct.pk in custom:
                raise ValueError("Only one queryset is allowed for each content type.")
            custom[ct.pk] = queryset
        ct_attname = self._ct_attname()
        wanted = defaultdict(set)
        database = {}
        for instance in instances:
            ct_id = getattr(instance, ct_attname)
            pk_value = getattr(instance, self.fk_field)
            if ct_id is not None and pk_value is not None:
                wanted[ct_id].add(pk_value)
                database[ct_id] = instance._state.db
        found = []
        models_by_ct = {}
        for ct_id, pks in wanted.items():
            ct = await self._content_types(database[ct_id]).get_for_id(ct_id)
            model = ct.model_class()
            models_by_ct[ct_id] = model
            if model is None:
                continue  # a stale content type: nothing to join
            queryset = custom.get(ct_id) or model._base_manager.using(database[ct_id]).all()
            found.extend([obj async for obj in queryset.filter(pk__in=pks)])

        def instance_key(obj):
            ct_id = getattr(obj, ct_attname)
            model = models_by_ct.get(ct_id)
            if model is None:
                return None
            return model._meta.pk.get_prep_value(getattr(obj, self.fk_field)), model

        return (_Rows(found), lambda obj: (obj.pk, obj.__class__), instance_key, True, self.name, False)
