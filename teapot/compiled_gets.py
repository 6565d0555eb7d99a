"""``get()`` statements compiled once per shape and reused.

``Model.objects.get(field=value)`` is the commonest query of most services, and most of its
cost is Python that does not depend on the values: building the filter, compiling it to
SQL, choosing the row converters. The first call of a shape (queryset class, model,
database, lookup names, value types) builds and compiles the query as usual and keeps the
SQL, the lookups that turn values into parameters and the way a row becomes an instance;
later calls of that shape prepare the new values and run the statement.

A shape is reused only where compiling again would give the same SQL:
- the queryset is a manager's fresh one (no filter, ordering, annotation, defer, prefetch,
  ``values()``...), checked against a new ``Query`` of the model, and its class does not
  change how querysets filter or fetch;
- every value is of a plain type (``None``, booleans, model instances and expressions
  change the SQL, not only its parameters);
- every filter is one of the comparisons below, on a column, and the parameters its lookup
  gives are exactly those of the compiled statement;
- every selected expression is a column of the model (no composite key).
Everything else takes the ordinary path. The shapes are forgotten when a setting changes or
a model class is created; there are at most ``MAX_SHAPES`` of them.
"""

from __future__ import annotations

import datetime
import decimal
import uuid

from teapot.backends import one_statement
from teapot.core.exceptions import EmptyResultSet, FullResultSet
from teapot.core.signals import setting_changed
from teapot.db import connections
from teapot.db.models import lookups
from teapot.db.models.expressions import Col
from teapot.db.models.fields import related_lookups
from teapot.db.models.signals import class_prepared
from teapot.db.models.sql import Query

PLAIN_VALUE_TYPES = frozenset(
    {int, str, float, decimal.Decimal, datetime.date, datetime.datetime, datetime.time, uuid.UUID}
)
REUSABLE_LOOKUPS = frozenset(
    {
        lookups.Exact,
        lookups.IExact,
        lookups.IntegerFieldExact,
        lookups.IntegerGreaterThan,
        lookups.IntegerGreaterThanOrEqual,
        lookups.IntegerLessThan,
        lookups.IntegerLessThanOrEqual,
        lookups.GreaterThan,
        lookups.GreaterThanOrEqual,
        lookups.LessThan,
        lookups.LessThanOrEqual,
        related_lookups.RelatedExact,
        related_lookups.RelatedGreaterThan,
        related_lookups.RelatedGreaterThanOrEqual,
        related_lookups.RelatedLessThan,
        related_lookups.RelatedLessThanOrEqual,
    }
)
MAX_SHAPES = 1024

# Methods through which a queryset filters and fetches: a subclass that redefines one of
# them keeps the ordinary path.
_FILTERING_METHODS = ("filter", "_filter_or_exclude", "_filter_or_exclude_inplace", "order_by", "_chain", "_clone", "_fetch_all")

NOT_REUSABLE = object()
_shapes: dict = {}
_fresh_query_state: dict = {}  # model -> the __dict__ of a new Query of it
_plain_queryset_classes: dict = {}


class CompiledGet:
    """A compiled get() statement, and how its rows become instances."""

    __slots__ = ("sql", "lookups", "model", "init_list", "start", "end", "converters")

    def __init__(self, sql, lookups, model, init_list, start, end, converters):
        self.sql = sql
        self.lookups = lookups  # [(lookup class, column)], in the parameters' order
        self.model = model
        self.init_list = init_list
        self.start, self.end = start, end
        self.converters = converters  # [(position, converters, expression)]

    async def fetch(self, db, values):
        """The instances of the rows matching ``values`` (in the lookups' order), or
        ``NOT_REUSABLE`` where a value changes the statement."""
        connection = connections[db]
        params = []
        try:
            for (lookup_class, column), value in zip(self.lookups, values):
                # A plain value needs no compiler; the lookup checks and prepares it as a
                # freshly built filter would (a bad value raises the same error).
                params += lookup_class(column, value).process_rhs(None, connection)[1]
        except (EmptyResultSet, FullResultSet):
            return NOT_REUSABLE  # an integer out of the column's range: no WHERE, or no query
        rows = await one_statement.run(connection, self.sql, params, one_statement.fetch_all)
        if self.converters:
            rows = [convert_row(row, self.converters, connection) for row in rows]
        model, init_list, start, end = self.model, self.init_list, self.start, self.end
        return [model.from_db(db, init_list, row[start:end]) for row in rows]


def convert_row(row, converters, connection):
    """A row with the compiler's converters applied: ``converters`` holds (position,
    converter functions, expression) as ``SQLCompiler.get_converters()`` gives them."""
    row = list(row)
    for position, functions, expression in converters:
        value = row[position]
        for converter in functions:
            value = converter(value, expression, connection)
        row[position] = value
    return row


def shape_of(queryset, kwargs):
    """The key of this get() call's statement, or ``None`` if it is not reusable."""
    if not kwargs or not _is_plain_queryset_class(type(queryset)):
        return None
    for value in kwargs.values():
        if type(value) not in PLAIN_VALUE_TYPES:
            return None
    if not _is_fresh(queryset):
        return None
    names = tuple(sorted(kwargs))
    return (type(queryset), queryset.model, queryset.db, names, tuple(type(kwargs[name]) for name in names))


def known(shape):
    """The CompiledGet of ``shape``, ``NOT_REUSABLE``, or ``None`` when it is new."""
    return _shapes.get(shape)


def remember(shape, clone):
    """Compile ``clone`` (get()'s query, built as usual) and keep it under ``shape`` if it is
    reusable; return the CompiledGet or ``NOT_REUSABLE``."""
    if len(_shapes) >= MAX_SHAPES:
        del _shapes[next(iter(_shapes))]
    _shapes[shape] = compiled = _compile(clone, shape[2], shape[3])
    return compiled


def _compile(clone, db, names):
    connection = connections[db]
    compiler = clone.query.get_compiler(using=db)
    try:
        sql, params = compiler.as_sql()
    except Exception:
        return NOT_REUSABLE  # the ordinary path raises it again, or answers without a query
    where = clone.query.where
    if where.negated or where.connector != "AND" or len(where.children) != len(names):
        return NOT_REUSABLE
    plan, expected = [], []
    for lookup in where.children:
        if type(lookup) not in REUSABLE_LOOKUPS or type(lookup.lhs) is not Col:
            return NOT_REUSABLE
        try:
            expected += lookup.process_rhs(compiler, connection)[1]
        except (EmptyResultSet, FullResultSet):
            return NOT_REUSABLE
        plan.append((type(lookup), lookup.lhs))
    if list(params) != expected:
        return NOT_REUSABLE
    select, klass_info = compiler.select, compiler.klass_info
    if compiler.annotation_col_map or not klass_info or any(type(s[0]) is not Col for s in select):
        return NOT_REUSABLE
    fields = klass_info["select_fields"]
    start, end = fields[0], fields[-1] + 1
    init_list = [s[0].target.attname for s in select[start:end]]
    converters = [
        (position, converters, expression)
        for position, (converters, expression) in compiler.get_converters([s[0] for s in select]).items()
    ]
    return CompiledGet(sql, plan, klass_info["model"], init_list, start, end, converters)


def _is_fresh(queryset):
    from teapot.db.models.query import ModelIterable

    if (
        queryset._result_cache is not None
        or queryset._deferred_filter is not None
        or queryset._sticky_filter
        or queryset._iterable_class is not ModelIterable
        or queryset._fields is not None
        or queryset._prefetch_related_lookups
        or queryset._known_related_objects
    ):
        return False
    model = queryset.model
    if (fresh := _fresh_query_state.get(model)) is None:
        fresh = _fresh_query_state[model] = dict(Query(model).__dict__)
    return queryset._query.__dict__ == fresh


def _is_plain_queryset_class(cls):
    if (plain := _plain_queryset_classes.get(cls)) is None:
        from teapot.db.models.query import QuerySet

        plain = _plain_queryset_classes[cls] = all(
            getattr(cls, name) is getattr(QuerySet, name) for name in _FILTERING_METHODS
        )
    return plain


def forget_all(**kwargs):
    _shapes.clear()
    _fresh_query_state.clear()


setting_changed.connect(forget_all, dispatch_uid="teapot.compiled_gets")
class_prepared.connect(forget_all, dispatch_uid="teapot.compiled_gets")
