"""Overrides of django.db.models.deletion: collecting what a delete cascades to.

Upstream tests querysets for truth (``if sub_objs``) to evaluate them, and calls the
on_delete handler plainly. Here querysets are evaluated with an explicit await, and a
handler that returns an awaitable (CASCADE collects related rows) is awaited.
"""

import inspect

from tools.codemod.overrides import override
from teapot.errors import AwaitRequired


@override("_parent_object", new=True)
async def _parent_object(obj, ptr):
    """The multi-table parent of ``obj`` through the parent link ``ptr``: built from obj's
    own fields, or, when some of them are deferred (the collector reads related rows with
    only()), fetched with a query as Django's descriptor does."""
    try:
        return getattr(obj, ptr.name)
    except AwaitRequired:
        parent = await getattr(type(obj), ptr.name).get_object(obj)
        ptr.set_cached_value(obj, parent)
        return parent


@override("Collector.collect", upstream="e151ceaac000")
async def collect(
    self,
    objs,
    source=None,
    nullable=False,
    collect_related=True,
    source_attr=None,
    reverse_dependency=False,
    keep_parents=False,
    fail_on_restricted=True,
):
    """
    Add 'objs' (model instances, or a QuerySet of them) to the collection of objects to
    be deleted, with their parents; related objects go to their on_delete handler.
    See Django's Collector.collect for the meaning of each argument.
    """
    if self.can_fast_delete(objs):
        self.fast_deletes.append(objs)
        return
    if hasattr(objs, "_fetch_all"):
        await objs._fetch_all()
    new_objs = self.add(objs, source, nullable, reverse_dependency=reverse_dependency)
    if not new_objs:
        return

    model = new_objs[0].__class__

    if not keep_parents:
        # Collect the concrete model's parents, but not their related objects: those are
        # found through meta.get_fields().
        concrete_model = model._meta.concrete_model
        for ptr in concrete_model._meta.parents.values():
            if ptr:
                parent_objs = [await _parent_object(obj, ptr) for obj in new_objs]
                await self.collect(
                    parent_objs,
                    source=model,
                    source_attr=ptr.remote_field.related_name,
                    collect_related=False,
                    reverse_dependency=True,
                    fail_on_restricted=False,
                )
    if not collect_related:
        return

    model_fast_deletes = defaultdict(list)
    protected_objects = defaultdict(list)
    for related in get_candidate_relations_to_delete(model._meta):
        if keep_parents and related.model in model._meta.all_parents:
            continue
        field = related.field
        on_delete = field.remote_field.on_delete
        # DB_CASCADE and its kin (adapted from Django 6.1): the database acts, as in Django.
        if on_delete == DO_NOTHING or hasattr(on_delete, "on_delete_sql"):
            continue
        related_model = related.related_model
        if self.can_fast_delete(related_model, from_field=field):
            model_fast_deletes[related_model].append(field)
            continue
        batches = self.get_del_batches(new_objs, [field])
        for batch in batches:
            sub_objs = self.related_objects(related_model, [field], batch)
            # Without signal receivers, fields nobody references need not be loaded.
            if not (sub_objs.query.select_related or self._has_signal_listeners(related_model)):
                referenced_fields = set(
                    chain.from_iterable(
                        (rf.attname for rf in rel.field.foreign_related_fields)
                        for rel in get_candidate_relations_to_delete(related_model._meta)
                    )
                )
                sub_objs = sub_objs.only(*tuple(referenced_fields))
            if not getattr(on_delete, "lazy_sub_objs", False):
                await sub_objs._fetch_all()
                if not sub_objs._result_cache:
                    continue
            try:
                handled = on_delete(self, field, sub_objs, self.using)
                if inspect.isawaitable(handled):
                    await handled
                await self._await_field_update_values()
            except ProtectedError as error:
                key = "'%s.%s'" % (field.model.__name__, field.name)
                protected_objects[key] += error.protected_objects
    if protected_objects:
        raise ProtectedError(
            "Cannot delete some instances of model %r because they are "
            "referenced through protected foreign keys: %s." % (model.__name__, ", ".join(protected_objects)),
            set(chain.from_iterable(protected_objects.values())),
        )
    for related_model, related_fields in model_fast_deletes.items():
        batches = self.get_del_batches(new_objs, related_fields)
        for batch in batches:
            sub_objs = self.related_objects(related_model, related_fields, batch)
            self.fast_deletes.append(sub_objs)
    for field in model._meta.private_fields:
        if hasattr(field, "bulk_related_objects"):
            # Something like a generic foreign key.
            sub_objs = field.bulk_related_objects(new_objs, self.using)
            await self.collect(sub_objs, source=model, nullable=True, fail_on_restricted=False)

    if fail_on_restricted:
        # Objects restricted by RESTRICT may still be collected through a CASCADE.
        for related_model, instances in self.data.items():
            self.clear_restricted_objects_from_set(related_model, instances)
        for qs in self.fast_deletes:
            await self.clear_restricted_objects_from_queryset(qs.model, qs)
        if self.restricted_objects.values():
            restricted_objects = defaultdict(list)
            for related_model, fields in self.restricted_objects.items():
                for field, objs in fields.items():
                    if objs:
                        key = "'%s.%s'" % (related_model.__name__, field.name)
                        restricted_objects[key] += objs
            if restricted_objects:
                raise RestrictedError(
                    "Cannot delete some instances of model %r because "
                    "they are referenced through restricted foreign keys: "
                    "%s." % (model.__name__, ", ".join(restricted_objects)),
                    set(chain.from_iterable(restricted_objects.values())),
                )


@override("Collector._await_field_update_values", new=True)
async def _await_field_update_values(self):
    """A ``SET()`` callable or a default that is a coroutine function (one that queries) gave
    ``add_field_update()`` its coroutine: the rows get what it returns (a model instance
    standing for its key, as ``ForeignKey.get_default()`` makes it)."""
    for key in [key for key in self.field_updates if inspect.iscoroutine(key[1])]:
        field, pending = key
        value = await pending
        if field.is_relation and isinstance(value, field.remote_field.model):
            value = getattr(value, field.target_field.attname)
        self.field_updates[field, value].extend(self.field_updates.pop(key))
