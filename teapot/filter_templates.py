"""``filter(field=value)`` on a manager's fresh queryset, built once per shape.

Building a filter (resolving the names into columns and lookups, joining the WHERE) costs
more than a simple statement takes to run, and for the same names it builds the same query
each time: only the lookups' values differ. The first call of a shape (model, names, value
types) builds the query as usual and keeps it as the shape's template; later calls copy the
template and put in new lookups of the same classes on the same columns, made from their
own values (a bad value raises the same error, at the same call, as building would).

A template is kept only where a call's values cannot change anything but the lookups' values:
the queryset is a manager's fresh one of a plain QuerySet class, every value is of a plain
type, and the WHERE built is one comparison of compiled_gets per name, on a column of the
model's own table. Everything else takes the usual path. The templates are forgotten when a
setting changes or a model class is created; there are at most ``MAX_TEMPLATES`` of them.
"""

from __future__ import annotations

from teapot import compiled_gets
from teapot.core.signals import setting_changed
from teapot.db.models.expressions import Col
from teapot.db.models.signals import class_prepared
from teapot.db.models.sql.where import AND, WhereNode

MAX_TEMPLATES = 1024
NOT_REUSABLE = object()

_templates: dict = {}


class FilterTemplate:
    """A filtered query to copy, and the lookup class and column of each name in turn."""

    __slots__ = ("query", "plan")

    def __init__(self, query, plan):
        self.query = query
        self.plan = plan

    def build(self, queryset, names, kwargs):
        """``queryset`` filtered by ``kwargs``, or ``None`` where a value changes the lookup."""
        lookups = []
        for (lookup_class, column), name in zip(self.plan, names):
            lookup = lookup_class(column, kwargs[name])
            if lookup.rhs is None:
                return None  # a field whose value prepares to None: IS NULL on the usual path
            lookups.append(lookup)
        query = self.query.clone()
        query.where = WhereNode(lookups, AND)
        # What _chain() gives of a fresh queryset, without copying its query only to drop it.
        clone = type(queryset)(model=queryset.model, query=query, using=queryset._db, hints=queryset._hints)
        clone._for_write = queryset._for_write
        return clone


def filtered(queryset, kwargs):
    """``queryset.filter(**kwargs)`` from its shape's template, or ``None`` when it takes the
    usual path."""
    if not kwargs or not compiled_gets._is_plain_queryset_class(type(queryset)):
        return None
    for value in kwargs.values():
        if type(value) not in compiled_gets.PLAIN_VALUE_TYPES:
            return None
    if queryset._defer_next_filter or not compiled_gets._is_fresh(queryset):
        return None
    names = tuple(sorted(kwargs))  # the order Q() gives its lookups
    shape = (queryset.model, names, tuple(type(kwargs[name]) for name in names))
    template = _templates.get(shape)
    if template is NOT_REUSABLE:
        return None
    if template is not None:
        return template.build(queryset, names, kwargs)
    clone = queryset._filter_or_exclude(False, (), kwargs)  # a bad filter raises here
    if len(_templates) >= MAX_TEMPLATES:
        del _templates[next(iter(_templates))]
    _templates[shape] = _template_of(clone.query, len(names))
    return clone


def _template_of(query, count):
    where = query.where
    if (
        type(where) is not WhereNode
        or where.connector != "AND"
        or where.negated
        or len(where.children) != count
        or len(query.alias_map) != 1
    ):
        return NOT_REUSABLE
    plan = []
    for lookup in where.children:
        if type(lookup) not in compiled_gets.REUSABLE_LOOKUPS or type(lookup.lhs) is not Col:
            return NOT_REUSABLE
        plan.append((type(lookup), lookup.lhs))
    return FilterTemplate(query.clone(), plan)


def forget_all(**kwargs):
    _templates.clear()


setting_changed.connect(forget_all, dispatch_uid="teapot.filter_templates")
class_prepared.connect(forget_all, dispatch_uid="teapot.filter_templates")
