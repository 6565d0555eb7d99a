"""INSERT statements compiled once per shape and reused.

``create()``, ``save()`` of a new object and each batch of ``bulk_create()`` compile an
INSERT whose text depends only on its shape: the compiler class, the model, the columns, the
conflict handling, the returned columns, one row or several, and the database. The values
change from call to call, but turning them into parameters (``pre_save`` then
``get_db_prep_save`` per field) is all that the values need. The first statement of a shape
is compiled by the compiler as usual; later ones take its SQL and lay out the new values in
the same order. Where the rows are written out one by one (``VALUES (...), (...)``), the
SQL for another number of rows is the compiled one with the backend's ``bulk_insert_sql``
for that number in place of its own: the part that the first statement's
``bulk_insert_sql`` gave must be found in it exactly once, or the shape is not kept.

A shape is reused only where compiling again would give the same SQL:
- every field's ``pre_save`` is one whose result is the attribute itself or, for
  ``auto_now``, a datetime (a custom ``pre_save`` may return an expression);
- no field has ``get_placeholder`` (the placeholder may depend on the value);
- no value is an expression (``F()``, ``Now()``, a ``db_default``): those change the SQL;
- the compiled parameters are laid out as one of the two layouts below, checked against the
  statement's placeholders when the shape is first seen.
Everything else takes the ordinary path. ``create()`` of a plain model whose shape is known
does not even build the compiler: ``insert_one`` sends the statement itself. The shapes are
forgotten when a setting changes or a model class is created; there are at most
``MAX_SHAPES`` of them.
"""

from __future__ import annotations

import datetime
import decimal
from operator import attrgetter

from teapot.backends import one_statement
from teapot.core.signals import setting_changed
from teapot.db.models.signals import class_prepared

MAX_SHAPES = 1024

# How the compiled parameters follow from the rows of prepared values.
ROWS = "rows"  # row after row, field after field (VALUES (%s, ...), (%s, ...))
COLUMNS = "columns"  # one list per field, holding every row's value (PostgreSQL's UNNEST)

NOT_REUSABLE = object()
UNPREPARED = object()  # what a reader's prepare function gives for a value it leaves alone
_shapes: dict = {}
_returned_converters: dict = {}  # (compiler class, alias, returned fields' ids) -> converters
_insert_compilers: dict = {}  # type(connection.ops) -> its SQLInsertCompiler class
_direct_inserts: dict = {}  # (alias, id(fields), id(returning_fields)) -> DirectInsert
_known_pre_save: dict = {}  # field class -> whether its pre_save is one of KNOWN_PRE_SAVE


def _known_pre_save_functions():
    from teapot.db.models import fields as model_fields

    return {
        model_fields.Field.pre_save,
        model_fields.DateField.pre_save,
        model_fields.DateTimeField.pre_save,
        model_fields.TimeField.pre_save,
    }


# The value types a DecimalField keeps as they are, provided the value is finite.
FINITE_DECIMALS = frozenset({decimal.Decimal})

MAX_ROW_COUNTS = 16  # SQL texts kept per shape of several rows, one per row count
# From this many rows on, values are read and checked a column at a time (see
# CompiledInsert._value_rows_by_column); below it the set-up costs more than it saves.
COLUMNS_FROM = 8


class CompiledInsert:
    """The SQL of one INSERT shape, the layout of its parameters, and how each field's value
    is read and prepared."""

    __slots__ = ("sql", "layout", "returning_params", "readers", "around_rows", "by_row_count")

    def __init__(self, sql, layout, returning_params, readers, around_rows=None):
        self.sql = sql
        self.layout = layout
        self.returning_params = returning_params
        # Per field: (attname, or None where pre_save() must be called; the value types
        # that its preparation would return unchanged; and a function of the value and the
        # connection that prepares it as get_db_prep_save() would, returning UNPREPARED
        # where it cannot, or None).
        self.readers = readers
        # For rows written out one by one: the SQL before and after them.
        self.around_rows = around_rows
        self.by_row_count = {}

    def sql_for(self, compiler, fields, row_count):
        if self.around_rows is None:
            return self.sql
        if (sql := self.by_row_count.get(row_count)) is None:
            before, after = self.around_rows
            sql = before + _rows_sql(compiler, fields, row_count) + after
            if len(self.by_row_count) >= MAX_ROW_COUNTS:
                del self.by_row_count[next(iter(self.by_row_count))]
            self.by_row_count[row_count] = sql
        return sql

    def value_rows(self, connection, fields, objs):
        """The prepared values, row by row; ``None`` where a value is, or is prepared into,
        an expression, which changes the SQL."""
        if len(objs) >= COLUMNS_FROM and all(attname for attname, _, _ in self.readers):
            return self._value_rows_by_column(connection, fields, objs)
        rows = []
        for obj in objs:
            row = []
            for field, (attname, as_is, prepare) in zip(fields, self.readers):
                value = getattr(obj, attname) if attname else field.pre_save(obj, True)
                if type(value) not in as_is or (as_is is FINITE_DECIMALS and not value.is_finite()):
                    if prepare is not None and (prepared := prepare(value, connection)) is not UNPREPARED:
                        row.append(prepared)
                        continue
                    if hasattr(value, "resolve_expression"):
                        return None
                    # What the compiler's prepare_value() does with a value that is not an
                    # expression.
                    value = field.get_db_prep_save(value, connection=connection)
                    if hasattr(value, "as_sql"):
                        return None
                row.append(value)
            rows.append(row)
        return rows

    def _value_rows_by_column(self, connection, fields, objs):
        """value_rows() a column at a time: where every value of a column has a type its
        preparation returns unchanged (the common case), the column is taken as read, with
        no Python work per value. Only for attribute reads: a pre_save() that computes a
        value (auto_now) runs row by row, in the order the compiler runs it."""
        columns = []
        for field, (attname, as_is, prepare) in zip(fields, self.readers):
            column = list(map(attrgetter(attname), objs))
            if as_is.issuperset(map(type, column)) and (
                as_is is not FINITE_DECIMALS or all(map(decimal.Decimal.is_finite, column))
            ):
                columns.append(column)
                continue
            prepared_column = []
            for value in column:
                if type(value) not in as_is or (as_is is FINITE_DECIMALS and not value.is_finite()):
                    if prepare is not None and (prepared := prepare(value, connection)) is not UNPREPARED:
                        value = prepared
                    elif hasattr(value, "resolve_expression"):
                        return None
                    else:
                        value = field.get_db_prep_save(value, connection=connection)
                        if hasattr(value, "as_sql"):
                            return None
                prepared_column.append(value)
            columns.append(prepared_column)
        return list(map(list, zip(*columns)))

    def params(self, value_rows):
        if self.layout is ROWS:
            params = [value for row in value_rows for value in row]
        else:
            params = [list(column) for column in zip(*value_rows)]
        params += self.returning_params
        return tuple(params)


def statements(compiler):
    """The [(sql, params)] of ``compiler``'s INSERT: reused from an earlier statement of the
    same shape where possible, else compiled by ``compiler.as_sql()``."""
    query = compiler.query
    fields = query.fields
    if query.raw or not fields:
        return compiler.as_sql()
    objs = query.objs
    shape = _shape(
        type(compiler),
        compiler.connection.alias,
        query.model,
        fields,
        compiler.returning_fields,
        len(objs) == 1,
        query.on_conflict,
        query.update_fields,
        query.unique_fields,
    )
    compiled = _shapes.get(shape)
    if compiled is None:
        if not _plain_fields(fields):
            _keep(shape, NOT_REUSABLE)
            return compiler.as_sql()
        if _any_expression(fields, objs):
            return compiler.as_sql()  # the shape is compiled and kept on a call without one
        return _remember(shape, compiler)
    if compiled is NOT_REUSABLE:
        return compiler.as_sql()
    value_rows = compiled.value_rows(compiler.connection, fields, objs)
    if value_rows is None:
        return compiler.as_sql()
    compiler.returning_params = compiled.returning_params
    return [(compiled.sql_for(compiler, fields, len(objs)), compiled.params(value_rows))]


def _shape(compiler_class, alias, model, fields, returning_fields, one_row, on_conflict=None,
           update_fields=None, unique_fields=None):
    """The key of an INSERT's shape. Fields are part of it by identity: hashing a Field runs
    Python code, and a shape keeps its model class, so the fields' identities cannot be
    reused while it is kept."""
    return (
        compiler_class,
        alias,
        model,
        tuple(map(id, fields)),
        on_conflict,
        tuple(map(id, update_fields or ())),
        tuple(map(id, unique_fields or ())),
        tuple(map(id, returning_fields or ())),
        one_row,
    )


async def insert_one(connection, obj, fields, returning_fields):
    """INSERT ``obj`` alone, with no conflict handling, as ``SQLInsertCompiler.execute_sql()``
    would, when the shape was compiled before: the statement goes to the cursor without a
    query, a compiler or a queryset being built. Return the values of ``returning_fields``
    the database gave back, or ``None``, having done nothing, where the ordinary path must
    run (a shape not seen yet, a value that is an expression, returned values that need
    converting, a database that cannot return them)."""
    key = (connection.alias, id(fields), id(returning_fields))
    direct = _direct_inserts.get(key)
    if direct is None or direct.fields is not fields or direct.returning_fields is not returning_fields:
        direct = _direct_insert(connection, type(obj), fields, returning_fields)
        if direct is None:
            return None
        if len(_direct_inserts) >= MAX_SHAPES:
            del _direct_inserts[next(iter(_direct_inserts))]
        _direct_inserts[key] = direct
    compiled = direct.compiled
    value_rows = compiled.value_rows(connection, fields, (obj,))
    if value_rows is None:
        return None
    # The reading goes through this task's own wrapper's operations: a kept DirectInsert holds
    # no wrapper (each task has its own).
    ops = connection.ops
    if not returning_fields:
        read = _read_nothing
    elif direct.new_id_column is not None:
        table, column = direct.new_id_column

        async def read(cursor):
            return (ops.last_insert_id(cursor, table, column),)

    else:

        async def read(cursor):
            return await ops.fetch_returned_insert_columns(cursor, compiled.returning_params)

    return await one_statement.run(connection, compiled.sql, compiled.params(value_rows), read)


async def _read_nothing(cursor):
    return ()


class DirectInsert:
    """What ``insert_one`` needs to send a one-row INSERT of a known shape and read its
    result, kept per database, fields and returned fields (identical lists: a model's).
    ``new_id_column`` is ``(table, column)`` where the new id is read from the driver
    instead of by RETURNING."""

    __slots__ = ("fields", "returning_fields", "compiled", "new_id_column")

    def __init__(self, fields, returning_fields, compiled, new_id_column):
        self.fields = fields
        self.returning_fields = returning_fields
        self.compiled = compiled
        self.new_id_column = new_id_column


def _direct_insert(connection, model, fields, returning_fields) -> DirectInsert | None:
    """The DirectInsert of a one-row INSERT, or None where insert_one cannot send it (yet)."""
    ops = connection.ops
    if (compiler_class := _insert_compilers.get(type(ops))) is None:
        compiler_class = _insert_compilers[type(ops)] = ops.compiler("SQLInsertCompiler")
    new_id_only = _reads_new_id_only(connection, returning_fields)
    sent_returning = None if new_id_only else returning_fields
    compiled = _shapes.get(_shape(compiler_class, connection.alias, model, fields, sent_returning, True))
    if compiled is None or compiled is NOT_REUSABLE:
        return None
    if returning_fields:
        if not (new_id_only or connection.features.can_return_columns_from_insert):
            return None
        if _returned_converters.get(_converters_key(compiler_class, connection.alias, returning_fields), True):
            return None  # not known yet, or some to apply: the compiler applies them
    new_id_column = (model._meta.db_table, returning_fields[0].column) if new_id_only else None
    return DirectInsert(fields, returning_fields, compiled, new_id_column)


def reads_new_id_only(connection, query, returning_fields) -> bool:
    """Whether the INSERT of ``query`` (an InsertQuery) asks for nothing but the auto-incremented
    key of its one row, which the driver gives without RETURNING on ``connection``
    (``features.reads_new_id_without_returning``)."""
    return len(query.objs) == 1 and query.on_conflict is None and _reads_new_id_only(connection, returning_fields)


def _reads_new_id_only(connection, returning_fields) -> bool:
    from teapot.db.models import AutoField  # imported here: teapot.db.models imports this module

    return (
        connection.features.reads_new_id_without_returning
        and returning_fields is not None
        and len(returning_fields) == 1
        and isinstance(returning_fields[0], AutoField)
    )


def _any_expression(fields, objs):
    for obj in objs:
        values = obj.__dict__
        for field in fields:
            if hasattr(values.get(field.attname), "resolve_expression"):
                return True
    return False


def _readers(fields, connection):
    from teapot.db.backends.base.operations import BaseDatabaseOperations
    from teapot.db.models import fields as model_fields

    none = type(None)
    integers_as_is = (
        type(connection.ops).adapt_integerfield_value is BaseDatabaseOperations.adapt_integerfield_value
    )
    # Exactly these classes (a subclass may prepare differently) return such values as they
    # are from get_db_prep_save(): skipping the call changes nothing.
    unchanged = {
        model_fields.CharField: frozenset({str, none}),
        model_fields.TextField: frozenset({str, none}),
        model_fields.FloatField: frozenset({float, none}),
        model_fields.BooleanField: frozenset({bool}),
    }
    if type(connection.ops).adapt_decimalfield_value is BaseDatabaseOperations.adapt_decimalfield_value:
        # DecimalField returns a finite Decimal unchanged (NaN and infinities are its errors).
        unchanged[model_fields.DecimalField] = FINITE_DECIMALS
    if integers_as_is:
        for integer_field in (
            model_fields.IntegerField,
            model_fields.BigIntegerField,
            model_fields.SmallIntegerField,
            model_fields.PositiveIntegerField,
            model_fields.PositiveBigIntegerField,
            model_fields.PositiveSmallIntegerField,
        ):
            unchanged[integer_field] = frozenset({int, none})
    # Exactly these classes prepare such values with nothing but the backend's adapt method.
    prepared_by = {model_fields.DateTimeField: _aware_datetime_preparer(connection)}
    # The pre_save() of date and time fields reads the attribute unless the field sets it.
    reads_unless_auto = {
        model_fields.DateField.pre_save,
        model_fields.DateTimeField.pre_save,
        model_fields.TimeField.pre_save,
    }
    readers = []
    for field in fields:
        cls = type(field)
        reads_attribute = cls.pre_save is model_fields.Field.pre_save or (
            cls.pre_save in reads_unless_auto and not field.auto_now and not field.auto_now_add
        )
        attname = field.attname if reads_attribute else None
        readers.append((attname, unchanged.get(cls, frozenset()), prepared_by.get(cls)))
    return tuple(readers)


# The backends whose adapt_datetimefield_value() turns an aware datetime into the text of the
# naive datetime in the connection's time zone, and does nothing else with it (with USE_TZ).
_NAIVE_TEXT_DATETIME_ADAPTERS = frozenset(
    {
        ("teapot.db.backends.sqlite3.operations", "DatabaseOperations.adapt_datetimefield_value"),
        ("teapot.db.backends.mysql.operations", "DatabaseOperations.adapt_datetimefield_value"),
    }
)


def _aware_datetime_preparer(connection):
    """How an aware datetime is prepared for ``connection``: the backend's adapt method, or
    where that is known to give the naive text in the connection's time zone, that text
    computed directly (the adapt method first asks whether the value is an expression and
    whether it is aware, and reads the setting, for every value)."""
    from teapot.conf import settings

    adapt = type(connection.ops).adapt_datetimefield_value
    if settings.USE_TZ and (adapt.__module__, adapt.__qualname__) in _NAIVE_TEXT_DATETIME_ADAPTERS:
        return _naive_text_in_connection_zone
    return _prepare_aware_datetime


def _naive_text_in_connection_zone(value, connection):
    if type(value) is datetime.datetime and value.utcoffset() is not None:
        return str(value.astimezone(connection.timezone).replace(tzinfo=None))
    return UNPREPARED


def _prepare_aware_datetime(value, connection):
    """DateTimeField's preparation of an aware datetime: its get_prep_value() returns the
    value as it is (only a naive one, with USE_TZ, is made aware, with a warning), and
    get_db_prep_value() hands that to the backend's adapt_datetimefield_value()."""
    if type(value) is datetime.datetime and value.utcoffset() is not None:
        return connection.ops.adapt_datetimefield_value(value)
    return UNPREPARED


def _plain_fields(fields):
    for field in fields:
        cls = type(field)
        if (known := _known_pre_save.get(cls)) is None:
            known = _known_pre_save[cls] = cls.pre_save in _known_pre_save_functions() and not hasattr(
                cls, "get_placeholder"
            )
        if not known:
            return False
    return True


def _remember(shape, compiler):
    """Compile ``compiler`` as usual, keep the shape if its parameters follow a known
    layout, and return the compiled statements."""
    result = compiler.as_sql()
    _keep(shape, _layout_of(result, compiler, n_fields=len(shape[3]), n_rows=len(compiler.query.objs)))
    return result


def _keep(shape, compiled):
    if len(_shapes) >= MAX_SHAPES:
        del _shapes[next(iter(_shapes))]
    _shapes[shape] = compiled


def _layout_of(result, compiler, n_fields, n_rows):
    if len(result) != 1:
        return NOT_REUSABLE  # one statement per row: a backend without multi-row INSERT
    sql, params = result[0]
    returning_params = tuple(getattr(compiler, "returning_params", ()) or ())
    if tuple(params[len(params) - len(returning_params) :]) != returning_params:
        return NOT_REUSABLE
    placeholders = sql.count("%s")
    value_count = len(params) - len(returning_params)
    if placeholders != len(params):
        return NOT_REUSABLE
    fields = compiler.query.fields
    readers = _readers(fields, compiler.connection)
    if value_count == n_fields * n_rows:
        if n_rows == 1:
            return CompiledInsert(sql, ROWS, returning_params, readers)
        rows_sql = _rows_sql(compiler, fields, n_rows)
        if sql.count(rows_sql) != 1:
            return NOT_REUSABLE
        before, _, after = sql.partition(rows_sql)
        return CompiledInsert(sql, ROWS, returning_params, readers, around_rows=(before, after))
    if n_rows > 1 and value_count == n_fields and all(type(p) is list and len(p) == n_rows for p in params[:n_fields]):
        return CompiledInsert(sql, COLUMNS, returning_params, readers)  # the same SQL for any count
    return NOT_REUSABLE


def _rows_sql(compiler, fields, row_count):
    """What the backend writes for ``row_count`` rows of plain placeholders."""
    placeholders = ["%s"] * len(fields)
    return compiler.connection.ops.bulk_insert_sql(fields, [placeholders] * row_count)


def returned_converters(compiler, returned, table):
    """``compiler.get_converters()`` for the columns an INSERT gave back, kept per database
    and columns (they depend on nothing else until a setting changes)."""
    key = _converters_key(type(compiler), compiler.connection.alias, returned)
    if (converters := _returned_converters.get(key)) is None:
        converters = compiler.get_converters([field.get_col(table) for field in returned])
        if len(_returned_converters) >= MAX_SHAPES:
            del _returned_converters[next(iter(_returned_converters))]
        _returned_converters[key] = converters
    return converters


def _converters_key(compiler_class, alias, returned):
    return (compiler_class, alias, tuple(map(id, returned)))


def forget_all(**kwargs):
    _shapes.clear()
    _direct_inserts.clear()
    _insert_compilers.clear()
    _returned_converters.clear()
    _known_pre_save.clear()


setting_changed.connect(forget_all, dispatch_uid="teapot.compiled_inserts")
class_prepared.connect(forget_all, dispatch_uid="teapot.compiled_inserts")
