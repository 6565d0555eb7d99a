"""Overrides of django.core.serializers.base: deserializers are asynchronous iterators.

Building an instance may look a natural key up, so a deserializer yields its objects to
``async for`` (the sync ``__iter__``/``__next__`` are dropped in rules.toml). Serializing
reads loaded values and stays sync.
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

    try:
        return obj._prefetched_objects_cache[field.name]
    except (AttributeError, KeyError):
        raise AwaitRequired(
            f"serializing {obj.__class__.__name__}.{field.name} needs its values loaded: use "
            f"prefetch_related({field.name!r}) on the queryset, or leave the field out (fields=...)."
        ) from None
