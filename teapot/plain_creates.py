"""``create()`` of a plain model, straight to its INSERT.

``QuerySet.create()`` calls ``save(force_insert=True)``, which walks ``save()``,
``save_base()`` and ``_save_table()`` before it reaches ``_do_insert()``: it sends
``pre_save`` and ``post_save``, works out which fields are deferred, saves the parents of a
multi-table child, fills ``_order`` for ``order_with_respect_to``, and builds the list of
fields to insert. For most models, none of that has anything to do: no receivers, no
parents, the same fields every time. Their ``create()`` here does what is left, in the same
order as ``save()``: check the related objects, set a primary key that has a default, insert
the row under ``mark_for_rollback_on_error`` (so an error inside ``atomic()`` still marks
the block for rollback), store what the database returned and mark the instance saved.
Where the INSERT's shape was compiled before, the row goes straight to a cursor
(``compiled_inserts.insert_one``): no queryset, query or compiler is built for it.

A model takes this path only when all of these hold, and ``save()`` otherwise:
- ``save``, ``save_base``, ``_save_table``, ``_save_parents``, ``_do_insert`` and
  ``_prepare_related_fields_for_save`` are Model's own (no override anywhere in its MRO);
- it is concrete and not a proxy, has no parents, no ``order_with_respect_to``, and is not
  an automatically created model (a many-to-many table);
- ``pre_save`` and ``post_save`` are known to have no receiver for it: the signals' own
  per-sender cache says so, which their first ``send`` fills.
The per-model plan is forgotten when a model class is created or a setting changes.
"""

from __future__ import annotations

from teapot import compiled_inserts
from teapot.core.signals import setting_changed
from teapot.db import connections, transaction
from teapot.db.models.signals import class_prepared, post_save, pre_save
from teapot.dispatch.dispatcher import NO_RECEIVERS

# The methods of Model that save() goes through for an insert: a model that overrides any
# of them has its own idea of saving.
_SAVE_METHODS = ("save", "save_base", "_save_table", "_save_parents", "_do_insert", "_prepare_related_fields_for_save")

_plans: dict = {}  # model class -> InsertPlan, or None where save() must run


class InsertPlan:
    """The fields a plain model inserts, with and without its primary key."""

    __slots__ = ("fields_with_pk", "fields_without_pk", "has_relations")

    def __init__(self, meta):
        fields = [f for f in meta.local_concrete_fields if not f.generated]
        self.fields_with_pk = fields
        self.fields_without_pk = [f for f in fields if f is not meta.auto_field]
        # Whether _prepare_related_fields_for_save() has anything to look at: it checks only
        # relation fields, concrete (foreign keys) or private (generic foreign keys).
        self.has_relations = any(f.is_relation for f in (*meta.concrete_fields, *meta.private_fields))


def _plan_for(model) -> InsertPlan | None:
    try:
        return _plans[model]
    except KeyError:
        pass
    from teapot.db.models import Model  # imported here: teapot.db.models imports this module

    meta = model._meta
    plain = (
        not meta.abstract
        and not meta.proxy
        and not meta.parents
        and not meta.order_with_respect_to
        and not meta.auto_created
        and all(getattr(model, name) is getattr(Model, name) for name in _SAVE_METHODS)
    )
    plan = _plans[model] = InsertPlan(meta) if plain else None
    return plan


def _no_receivers(signal, sender) -> bool:
    return not signal.receivers or signal.sender_receivers_cache.get(sender) is NO_RECEIVERS


async def create_object(model, using, values):
    """``QuerySet.create(**values)`` on database ``using``: the instance built, inserted and
    returned."""
    reverse_one_to_one = frozenset(values).intersection(model._meta._reverse_one_to_one_field_names)
    if reverse_one_to_one:
        raise ValueError("The following fields do not exist in this model: %s" % ", ".join(reverse_one_to_one))
    obj = model(**values)
    if not await insert_new(obj, using):
        await obj.save(force_insert=True, using=using)
    return obj


async def insert_new(obj, using) -> bool:
    """Insert ``obj``, a new instance, as ``save(force_insert=True, using=using)`` would, and
    return True; or return False, having done nothing, where ``save()`` must run."""
    model = type(obj)
    plan = _plan_for(model)
    if plan is None or not (_no_receivers(pre_save, model) and _no_receivers(post_save, model)):
        return False
    if plan.has_relations:
        await obj._prepare_related_fields_for_save(operation_name="save")
    meta = model._meta
    if not obj._is_pk_set(meta):
        setattr(obj, meta.pk.attname, meta.pk.get_pk_value_on_save(obj))
    fields = plan.fields_with_pk if obj._is_pk_set(meta) else plan.fields_without_pk
    connection = connections[using]
    # The sync form of the block (it has no I/O to do on entry); the connection is taken
    # inside it, before the RETURNING columns are read: they may depend on the server.
    with transaction.mark_for_rollback_on_error(using=using):
        await connection.ensure_connection()
        returning_fields = meta.db_returning_fields
        returned = await compiled_inserts.insert_one(connection, obj, fields, returning_fields)
        if returned is None:
            rows = await obj._do_insert(model._base_manager, using, fields, returning_fields, False)
            returned = rows[0] if rows else ()
    for value, field in zip(returned, returning_fields):
        setattr(obj, field.attname, value)
    obj._state.db = using
    obj._state.adding = False
    return True


def forget_all(**kwargs):
    _plans.clear()


setting_changed.connect(forget_all, dispatch_uid="teapot.plain_creates")
class_prepared.connect(forget_all, dispatch_uid="teapot.plain_creates")
