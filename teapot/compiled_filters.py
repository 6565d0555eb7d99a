"""Statements of filtered querysets compiled once per shape and reused.

``exists()``, ``count()``, ``aggregate()``, ``update()`` and reading the rows of a queryset
filtered by plain comparisons (``Item.objects.filter(qty=5)``, possibly ordered, sliced or turned into
``values()`` / ``values_list()``) compile the same SQL on every call: only the compared values
differ. The first call of a shape runs as usual while the one statement it sends is recorded;
later calls of the same shape send that SQL with the parameters of their own values and build
the answer as the usual path does.

Two calls share a shape when their queries are equal in everything but the values of the
WHERE (every attribute of the Query other than the WHERE, compared one by one; dictionaries
in order too), and they ask the same of the same database. A shape is reused only where:
- the WHERE is a conjunction of the comparisons of compiled_gets, each on a column of the
  model's own table, with a value of a plain type (booleans, ``None``, expressions and model
  instances change the SQL, not only its parameters), or of ``__in`` lookups on such a column
  with a list of distinct values of one plain type (the count of values is part of the
  shape: ``in_bulk()``, a many-to-many manager's checks);
- the query has no annotation, extra(), distinct, set operation, deferred field or lock, and
  its WHERE reads one table (select_related()'s joins are the compiler's); reading rows
  allows annotations that are aggregate functions of columns (``annotate(n=Count("books"))``:
  the joins and the GROUP BY are theirs) where the WHERE compares the model's own columns;
- aggregate()'s arguments are aggregate functions of columns (``Sum("qty")``, ``Count("*")``,
  ``Avg("books__pages", distinct=True)``) without ``filter`` or ``default``; the aliases and
  the aggregates, compared as Django compares expressions, are part of the shape;
- the usual path sent exactly one statement, in which the WHERE comes once and its
  parameters come last; those before it are constants, or update()'s new values, which are
  prepared again on each call.
Everything else takes the usual path. The shapes are forgotten when a setting changes or a
model class is created; there are at most ``MAX_SHAPES`` of them.
"""

from __future__ import annotations

import contextlib
import contextvars

from teapot.backends import one_statement
from teapot.compiled_gets import PLAIN_VALUE_TYPES, REUSABLE_LOOKUPS, convert_row
from teapot.core.exceptions import EmptyResultSet, FullResultSet
from teapot.core.signals import setting_changed
from teapot.db import connections
from teapot.db.models import lookups
from teapot.db.models.aggregates import Aggregate
from teapot.db.models.expressions import Col, F, Star
from teapot.db.models.fields import related_lookups
from teapot.db.models.signals import class_prepared
from teapot.db.models.sql import Query
from teapot.db.models.sql.constants import MULTI, ROW_COUNT, SINGLE
from teapot.db.models.sql.where import WhereNode
from teapot.utils.functional import cached_property

# ``__in`` lookups: their SQL has one placeholder per value, so the shape holds the count.
IN_LOOKUPS = frozenset({lookups.In, related_lookups.RelatedIn})
MAX_SHAPES = 1024
MAX_STATES_PER_SHAPE = 8  # queries that differ beyond their WHERE (ordering, columns, slice)
NOT_REUSABLE = object()

# The statements SQLCompiler.execute_sql sends, in the task that records a new shape.
recorded_statements: contextvars.ContextVar[list | None] = contextvars.ContextVar(
    "teapot_recorded_statements", default=None
)

# (operation, its arguments' shape, model, database, WHERE's shape) -> [(state, statement)]
_shapes: dict = {}
_not_state: dict = {}  # Query class -> names of its __dict__ that are caches, not state
_MISSING = object()


def shape_of(queryset, operation, arguments=()):
    """The Shape of ``operation`` on ``queryset``, or ``None`` when it takes the usual path.
    ``arguments`` is update()'s keyword arguments, or aggregate()'s aggregates by alias; fetch's
    is the queryset's iterable class."""
    query = queryset.query
    if type(query) is not Query or not _is_simple(query, operation):
        return None
    where_shape = _where_shape(query.where)
    if where_shape is None:
        return None
    if operation == "update":
        arguments_shape = _update_shape(arguments)
    elif operation == "fetch":
        arguments_shape = _fetch_shape(queryset)
    elif operation == "aggregate":
        arguments_shape = _aggregate_shape(arguments)
    else:
        arguments_shape = ()
    if arguments_shape is None:
        return None
    db = queryset.db
    key = (operation, arguments_shape, query.model, db, where_shape)
    skip = _cache_names(Query)
    for state, statement in _shapes.get(key, ()):
        if _same_state(query, state, skip):
            return Shape(key, queryset, query, db, statement)
    return Shape(key, queryset, query, db, None)


class Shape:
    """One call's shape: its statement once known (``statement``: a CompiledStatement,
    ``NOT_REUSABLE``, or ``None`` while it is new)."""

    __slots__ = ("key", "queryset", "query", "db", "statement", "_state")

    def __init__(self, key, queryset, query, db, statement):
        self.key, self.queryset, self.query, self.db = key, queryset, query, db
        self.statement = statement
        # Taken before the usual path runs: compiling may add to the query.
        self._state = _state(query.clone()) if statement is None else None

    @property
    def reusable(self):
        return self.statement is not None and self.statement is not NOT_REUSABLE

    def remember(self, statements, arguments):
        if not statements:
            return  # no statement: the values made the WHERE empty or full; try another call
        if len(statements) == 1:
            statement = _compile(self, *statements[0], arguments)
            if statement is None:
                return
        else:
            statement = NOT_REUSABLE
        states = _shapes.get(self.key)
        if states is None:
            if len(_shapes) >= MAX_SHAPES:
                del _shapes[next(iter(_shapes))]
            states = _shapes[self.key] = []
        elif len(states) >= MAX_STATES_PER_SHAPE:
            del states[0]
        states.append((self._state, statement))


@contextlib.contextmanager
def recording(shape, arguments=None):
    """Around the usual path of a new ``shape``: record the statements it sends and keep
    what they teach (nothing when the path raises)."""
    if shape is None or shape.statement is not None:
        yield
        return
    statements = []
    token = recorded_statements.set(statements)
    try:
        yield
    finally:
        recorded_statements.reset(token)
    shape.remember(statements, arguments)


async def reused_or_recorded(queryset, operation, usual, arguments=()):
    """The result of ``queryset``'s ``operation`` ("fetch", "count", "exists", "aggregate" with
    its ``arguments``): from the statement of its shape where one is kept, else from
    ``usual()`` (a coroutine function, the ordinary path), whose statements are recorded for
    the next call of the shape."""
    shape = shape_of(queryset, operation, arguments)
    if shape is not None and shape.reusable:
        if (found := await shape.statement.run(shape)) is not NOT_REUSABLE:
            return found
    with recording(shape):
        return await usual()


def record(compiler, sql, params, result_type, chunked_fetch):
    """Called by SQLCompiler.execute_sql with each statement it is about to send."""
    statements = recorded_statements.get()
    if statements is not None:
        statements.append((compiler, sql, params, result_type, chunked_fetch))


class CompiledStatement:
    """A statement of one shape: its SQL, its constant parameters and how the answer is made
    of what the cursor gives back."""

    __slots__ = ("sql", "head", "update_fields", "col_count", "converters", "answer", "reads")

    def __init__(self, sql, head, update_fields, col_count, converters, answer, reads):
        self.sql = sql
        self.head = head  # parameters before the WHERE's (None: update()'s new values)
        self.update_fields = update_fields
        self.col_count = col_count
        self.converters = converters  # [(position, converters, expression)]
        self.answer = answer  # (connection, db, what the cursor gave) -> the result
        self.reads = reads  # "one", "all" or "count"

    async def run(self, shape, arguments=None):
        """The answer for ``shape``'s values, or ``NOT_REUSABLE`` where they change the SQL."""
        connection = connections[shape.db]
        try:
            where_params = _where_params(shape.query.where, connection)
        except (EmptyResultSet, FullResultSet):
            return NOT_REUSABLE  # an integer out of the column's range: no WHERE, or no query
        if self.head is None:
            head = _update_params(self.update_fields, arguments, connection)
            if head is None:
                return NOT_REUSABLE
        else:
            head = self.head
        got = await one_statement.run(connection, self.sql, head + where_params, _READERS[self.reads])
        return self.answer(self, connection, shape.db, got)

    def convert(self, row, connection):
        return convert_row(row, self.converters, connection)


def _compile(shape, compiler, sql, params, result_type, chunked_fetch, arguments):
    """The CompiledStatement of ``shape`` from the one statement its usual path sent,
    ``NOT_REUSABLE``, or ``None`` when this call's values tell nothing of the shape."""
    connection = compiler.connection
    operation = shape.key[0]
    wanted = {"exists": SINGLE, "count": SINGLE, "aggregate": SINGLE, "update": ROW_COUNT, "fetch": MULTI}[operation]
    compiler_class = connection.ops.compiler("SQLUpdateCompiler" if operation == "update" else "SQLCompiler")
    if type(compiler) is not compiler_class or result_type != wanted or chunked_fetch or "%%" in sql:
        return NOT_REUSABLE
    try:
        where_sql, where_params = compiler.compile(compiler.query.where)
        expected = _where_params(shape.query.where, connection)
    except (EmptyResultSet, FullResultSet):
        return None
    params = list(params)
    head_length = len(params) - len(expected)
    if (
        not where_sql
        or list(where_params) != expected
        or sql.count(where_sql) != 1
        or "%s" in sql[sql.index(where_sql) + len(where_sql) :]
        or head_length < 0
        or params[head_length:] != expected
    ):
        return NOT_REUSABLE
    head, update_fields = params[:head_length], None
    if operation == "update":
        update_fields = [field for field, _, _ in compiler.query.values]
        if any(hasattr(field, "get_placeholder") for field in update_fields):
            return NOT_REUSABLE
        if _update_params(update_fields, arguments, connection) != head:
            return NOT_REUSABLE
        head = None
    return _ANSWERS[operation](compiler, shape, sql, head, update_fields)


def _exists_statement(compiler, shape, sql, head, update_fields):
    def answer(statement, connection, db, row):
        return bool(row[0 : statement.col_count] if row else row)

    return CompiledStatement(sql, head, None, compiler.col_count, [], answer, "one")


def _annotation_columns(compiler, names):
    """The compiled annotations when they are exactly ``names`` (count() and aggregate() read
    one row of them), else None."""
    annotations = compiler.query.annotation_select
    columns = list(annotations.values())
    if list(annotations) != names or compiler.has_composite_fields(columns):
        return None
    return columns


def _count_statement(compiler, shape, sql, head, update_fields):
    columns = _annotation_columns(compiler, ["__count"])
    if columns is None:
        return NOT_REUSABLE
    empty = columns[0].empty_result_set_value

    def answer(statement, connection, db, row):
        if not row:
            return empty
        return statement.convert(row[0 : statement.col_count], connection)[0]

    return CompiledStatement(sql, head, None, compiler.col_count, _converters(compiler, columns), answer, "one")


def _aggregate_statement(compiler, shape, sql, head, update_fields):
    names = [alias for alias, _ in shape.key[1]]
    columns = _annotation_columns(compiler, names)
    if columns is None:
        return NOT_REUSABLE
    empty = dict(zip(names, [column.empty_result_set_value for column in columns]))

    def answer(statement, connection, db, row):
        if not row:
            return dict(empty)
        return dict(zip(names, statement.convert(row[0 : statement.col_count], connection)))

    return CompiledStatement(sql, head, None, compiler.col_count, _converters(compiler, columns), answer, "one")


def _update_statement(compiler, shape, sql, head, update_fields):
    def answer(statement, connection, db, row_count):
        return row_count or 0

    return CompiledStatement(sql, head, update_fields, None, [], answer, "count")


def _fetch_statement(compiler, shape, sql, head, update_fields):
    from teapot.db.models.query import FlatValuesListIterable, ModelIterable, ValuesIterable, ValuesListIterable

    columns = [s[0] for s in compiler.select[0 : compiler.col_count]]
    if compiler.has_extra_select or compiler.has_composite_fields(columns):
        return NOT_REUSABLE
    iterable_class = shape.key[1]
    if iterable_class is ModelIterable:
        make = _instances(compiler, shape.db)
        if make is None:
            return NOT_REUSABLE
    elif iterable_class is ValuesIterable:
        query = shape.query
        names = list(query.selected) if query.selected else [*query.values_select]
        if len(names) != compiler.col_count:
            return NOT_REUSABLE

        def make(rows, db):
            return [dict(zip(names, row)) for row in rows]

    elif iterable_class is ValuesListIterable:

        def make(rows, db):
            return [tuple(row) for row in rows]

    elif iterable_class is FlatValuesListIterable:

        def make(rows, db):
            return [row[0] for row in rows]

    else:
        return NOT_REUSABLE

    def answer(statement, connection, db, rows):
        if statement.converters:
            rows = [statement.convert(row, connection) for row in rows]
        return make(rows, db)

    return CompiledStatement(sql, head, None, compiler.col_count, _converters(compiler, columns), answer, "all")


def _instances(compiler, db):
    """How rows become the model's instances (with their select_related() objects), or
    ``None`` if they need more."""
    from teapot.db.models.query import get_related_populators

    klass_info, select = compiler.klass_info, compiler.select
    if not klass_info:
        return None
    annotations = list(compiler.annotation_col_map.items())
    fields = klass_info["select_fields"]
    start, end = fields[0], fields[-1] + 1
    init_list = [s[0].target.attname for s in select[start:end]]
    model = klass_info["model"]
    # They keep nothing of a row: built once, as the usual path builds them per query.
    related_populators = get_related_populators(klass_info, select, db)

    def make(rows, db):
        if not related_populators and not annotations:
            return [model.from_db(db, init_list, row[start:end]) for row in rows]
        instances = []
        for row in rows:
            instance = model.from_db(db, init_list, row[start:end])
            for populator in related_populators:
                populator.populate(row, instance)
            for name, position in annotations:
                setattr(instance, name, row[position])
            instances.append(instance)
        return instances

    return make


# How a statement's result is read, by CompiledStatement.reads.
_READERS = {"count": one_statement.row_count, "one": one_statement.fetch_one, "all": one_statement.fetch_all}

_ANSWERS = {
    "exists": _exists_statement,
    "count": _count_statement,
    "aggregate": _aggregate_statement,
    "update": _update_statement,
    "fetch": _fetch_statement,
}


def _converters(compiler, columns):
    return [(position, converters, expression) for position, (converters, expression) in compiler.get_converters(columns).items()]


def _where_params(where, connection):
    params = []
    for lookup in where.children:
        params += lookup.process_rhs(None, connection)[1]
    return params


def _update_params(fields, arguments, connection):
    """update()'s new values as parameters, or ``None`` where one changes the SQL."""
    params = []
    for field, value in zip(fields, arguments.values()):
        value = field.get_db_prep_save(value, connection=connection)
        if value is None or hasattr(value, "as_sql"):
            return None  # "= NULL", or an expression
        params.append(value)
    return params


def _where_shape(where):
    if type(where) is not WhereNode or where.connector != "AND" or where.negated or not where.children:
        return None
    shape = []
    for lookup in where.children:
        kind = type(lookup)
        if (kind not in REUSABLE_LOOKUPS and kind not in IN_LOOKUPS) or type(lookup.lhs) is not Col:
            return None
        if kind in REUSABLE_LOOKUPS:
            if type(lookup.rhs) not in PLAIN_VALUE_TYPES:
                return None
            shape.append((kind, lookup.lhs, type(lookup.rhs)))
        elif kind in IN_LOOKUPS:
            if (values_shape := _in_values_shape(lookup.rhs)) is None:
                return None
            shape.append((kind, lookup.lhs, values_shape))
    return tuple(shape)


def _in_values_shape(values):
    """(type, count) of an ``__in`` list whose every value becomes one parameter: values of
    one plain type, none repeated. A repeated value or ``None`` is dropped from the SQL, so
    the placeholders would not follow the list; such a list takes the usual path."""
    if type(values) not in (list, tuple) or not values:
        return None
    value_type = type(values[0])
    if value_type not in PLAIN_VALUE_TYPES or any(type(value) is not value_type for value in values):
        return None
    if len(set(values)) != len(values):
        return None
    return (value_type, len(values))


def _update_shape(arguments):
    shape = []
    for name, value in arguments.items():
        if type(value) not in PLAIN_VALUE_TYPES and type(value) is not bool:
            return None
        shape.append((name, type(value)))
    return tuple(shape)


def _aggregate_shape(arguments):
    """aggregate()'s (alias, aggregate) pairs, or ``None`` unless each is an aggregate
    function of plain column references without ``filter`` or ``default``: what else an
    expression holds (a subquery, a value, a condition) may change the SQL or its parameters
    in ways its equality does not tell."""
    if not arguments:
        return None
    shape = []
    for alias, expression in arguments.items():
        if not isinstance(expression, Aggregate) or expression.filter is not None or expression.default is not None:
            return None
        if any(type(source) not in (F, Star) for source in expression.source_expressions):
            return None
        try:
            hash(expression)
        except TypeError:
            return None
        shape.append((alias, expression))
    return tuple(shape)


def _fetch_shape(queryset):
    from teapot.db.models.query import FlatValuesListIterable, ModelIterable, ValuesIterable, ValuesListIterable

    iterable_class = queryset._iterable_class
    if iterable_class is ModelIterable:
        return None if queryset._known_related_objects else ModelIterable
    if iterable_class in (ValuesIterable, ValuesListIterable, FlatValuesListIterable):
        return iterable_class
    return None


def _is_simple(query, operation):
    """Whether nothing but the WHERE's values can change the query's SQL between two queries
    whose other attributes are equal."""
    if query.annotations:
        if operation != "fetch" or not _aggregates_of_columns(query):
            return False
    elif query.group_by is not None or _tables_read(query) != 1:
        return False
    return (
        not query.extra
        and not query.distinct
        and query.combinator is None
        and not query.select_for_update
        and not query._filtered_relations
        and not query.deferred_loading[0]
        and not query.extra_tables
        and not query.extra_order_by
        and query.explain_info is None
        and not query.subquery
    )


def _aggregates_of_columns(query):
    """Whether the annotations are aggregate functions of columns, without filter or default,
    grouped by the model's row (``annotate(n=Count("books"))``), and the WHERE compares the
    model's own columns only: the joins the annotations made are part of the query's state."""
    if query.group_by is not True or query.annotation_select_mask is not None:
        return False
    for annotation in query.annotations.values():
        if not isinstance(annotation, Aggregate) or annotation.filter is not None or annotation.default is not None:
            return False
        if any(type(source) is not Col for source in annotation.source_expressions):
            return False
    base = query.base_table
    return all(getattr(lookup, "lhs", None) is not None and getattr(lookup.lhs, "alias", None) == base for lookup in query.where.children)


def _tables_read(query):
    """The tables in the FROM: joins that filtering by a key set up and then trimmed (a
    filter on ``author=`` needs only the key's column) stay in the alias map, unused."""
    refcount = query.alias_refcount
    return sum(1 for alias in query.alias_map if refcount[alias])


def _cache_names(query_class):
    if (names := _not_state.get(query_class)) is None:
        names = {"where", "_annotation_select_cache", "_extra_select_cache"}
        for klass in query_class.__mro__:
            names.update(name for name, value in vars(klass).items() if isinstance(value, cached_property))
        names = _not_state[query_class] = frozenset(names)
    return names


def _state(query):
    skip = _cache_names(type(query))
    return {name: value for name, value in query.__dict__.items() if name not in skip}


def _same_state(query, state, skip):
    count = 0
    for name, value in query.__dict__.items():
        if name in skip:
            continue
        count += 1
        known = state.get(name, _MISSING)
        if known is value:
            continue
        if known is _MISSING or type(known) is not type(value) or known != value:
            return False
        if type(value) is dict and not _same_order(value, known):
            return False  # the same entries in another order: another SELECT or FROM
    return count == len(state)


def _same_order(mapping, other):
    """Whether two equal dictionaries, and the dictionaries in them (select_related()'s),
    have their keys in the same order."""
    if list(mapping) != list(other):
        return False
    return all(type(value) is not dict or _same_order(value, other[key]) for key, value in mapping.items())


def forget_all(**kwargs):
    _shapes.clear()


setting_changed.connect(forget_all, dispatch_uid="teapot.compiled_filters")
class_prepared.connect(forget_all, dispatch_uid="teapot.compiled_filters")
