"""Overrides of django.db.models.sql.compiler: the async row pipeline.

``execute_sql(MULTI)`` returns the rows in chunks: a list of chunks for buffered reads, a
``teapot.streams.CursorReader`` for streamed (chunked) reads. ``results_iter`` is an async
generator of rows that applies the same converters as upstream, chunk by chunk.
"""

from tools.codemod.overrides import override
from teapot import compiled_filters, compiled_inserts
from teapot.streams import CursorReader


@override("cursor_iter", upstream="2843a36d01f4", colour="aiter")
def cursor_iter(cursor, sentinel, col_count, itersize):
    """Chunks of ``itersize`` rows from ``cursor`` until it runs dry. A reader object, not a
    generator: one left unread is stopped by its connection before its next statement
    (teapot.streams)."""
    return CursorReader(cursor.db, cursor, sentinel, col_count, itersize)


@override("SQLCompiler.results_iter", upstream="96da503e52ed")
async def results_iter(
    self,
    results=None,
    tuple_expected=False,
    chunked_fetch=False,
    chunk_size=GET_ITERATOR_CHUNK_SIZE,
):
    """Yield the rows of this query, converted, one at a time."""
    if results is None:
        results = await self.execute_sql(MULTI, chunked_fetch=chunked_fetch, chunk_size=chunk_size)
    fields = [s[0] for s in self.select[0 : self.col_count]]
    converters = self.get_converters(fields)
    composite = self.has_composite_fields(fields)
    if hasattr(results, "__aiter__"):
        chunks = results
    else:
        async def buffered():
            for chunk in results:
                yield chunk

        chunks = buffered()
    chunks = chunks.__aiter__()
    while True:
        try:
            rows = await chunks.__anext__()
        except StopAsyncIteration:
            return
        if converters:
            rows = self.apply_converters(rows, converters)
        if composite:
            rows = self.composite_fields_to_tuples(rows, fields)
        if tuple_expected:
            rows = map(tuple, rows)
        for row in rows:
            yield row
        # Not ``async for``: its variable would keep this chunk alive while the next one is
        # read, doubling a stream's memory.
        rows = row = None


@override("SQLCompiler.execute_sql", upstream="72a4cfa0eec4")
async def execute_sql(
    self, result_type=MULTI, chunked_fetch=False, chunk_size=GET_ITERATOR_CHUNK_SIZE
):
    """Execute the compiled statement. ``result_type`` picks what comes back: MULTI the
    rows in chunks (a list, or an async iterator for chunked reads), SINGLE one row,
    ROW_COUNT the number of rows, CURSOR the open cursor (the caller closes it)."""
    result_type = result_type or NO_RESULTS
    # Connect before compiling: the SQL may depend on server facts read at connect time.
    await self.connection.ensure_connection()
    try:
        sql, params = self.as_sql()
        if not sql:
            raise EmptyResultSet
        compiled_filters.record(self, sql, params, result_type, chunked_fetch)
        if chunked_fetch:
            cursor = await self.connection.chunked_cursor()
        else:
            cursor = await self.connection.cursor()
    except EmptyResultSet:
        self.connection.release_if_idle()  # no statement: its lease ends here
        if result_type == MULTI:
            return []
        else:
            return
    except BaseException:
        self.connection.release_if_idle()
        raise
    try:
        await cursor.execute(sql, params)
    except BaseException:
        # Closing can fail (a server-side cursor on a lost connection) or be cancelled.
        await cursor.close()
        raise

    if result_type == ROW_COUNT:
        try:
            return cursor.rowcount
        finally:
            await cursor.close()
    if result_type == CURSOR:
        return cursor
    if result_type == SINGLE:
        try:
            val = await cursor.fetchone()
            if val:
                return val[0 : self.col_count]
            return val
        finally:
            await cursor.close()
    if result_type == NO_RESULTS:
        await cursor.close()
        return

    result = cursor_iter(
        cursor,
        self.connection.features.empty_fetchmany_value,
        self.col_count if self.has_extra_select else None,
        chunk_size,
    )
    if not chunked_fetch or not self.connection.features.can_use_chunked_reads:
        return [chunk async for chunk in result]
    return result


@override("SQLCompiler.explain_query", upstream="9ba38633034f", colour="coroutine")
async def explain_query(self):
    """Return the lines of the EXPLAIN output as a list (upstream yields them)."""
    result = await self.execute_sql()
    # Rows differ by backend (one text column, or several mixed values): each becomes one string.
    format_ = self.query.explain_info.format
    output_formatter = json.dumps if format_ and format_.lower() == "json" else str
    lines = []
    for row in result:
        for value in row:
            if not isinstance(value, str):
                lines.append(" ".join([output_formatter(c) for c in value]))
            else:
                lines.append(value)
    return lines


@override("SQLUpdateCompiler.pre_select_query", new=True)
def pre_select_query(self):
    """The SELECT of the pks an UPDATE needs first, with the index of each related update's
    ids in its rows; (None, []) when the update filters in a single query. Builds on
    ``self.query`` (ensures its base table, sets up this compiler); issues no query."""
    self.query.get_initial_alias()
    count = self.query.count_active_tables()
    if not self.query.related_updates and count == 1:
        return None, []
    query = self.query.chain(klass=Query)
    query.select_related = False
    query.clear_ordering(force=True)
    query.extra = {}
    query.select = []
    meta = query.get_meta()
    fields = [meta.pk.name]
    related_ids_index = []
    for related in self.query.related_updates:
        if all(path.join_field.primary_key for path in meta.get_path_to_parent(related)):
            # A primary key chain reaches the related update: meta.pk is its id.
            related_ids_index.append((related, 0))
        else:
            # Updating a field of an MTI ancestor outside the primary key chain.
            related_ids_index.append((related, len(fields)))
            fields.append(related._meta.pk.name)
    query.add_fields(fields)
    SQLCompiler.pre_sql_setup(self)
    return query, related_ids_index


@override("SQLUpdateCompiler.must_pre_select", new=True)
def must_pre_select(self):
    """Whether the pks are read before the UPDATE: for related updates (ids must not move
    between the statements) or where the server cannot select from the updated table."""
    self.query.get_initial_alias()
    count = self.query.count_active_tables()
    return bool(self.query.related_updates) or (
        count > 1 and not self.connection.features.update_can_self_select
    )


@override("SQLUpdateCompiler.pre_sql_setup", upstream="ec547aec667b")
def pre_sql_setup(self):
    """Rewrite the WHERE of an UPDATE that joins other tables into a filter on the pks, the
    form every database accepts. Pks that must be read first were read by execute_sql
    (``self.pre_selected_rows``): this method does no I/O."""
    refcounts_before = self.query.alias_refcount.copy()
    query, related_ids_index = self.pre_select_query()
    if query is None:
        return
    is_composite_pk = query.get_meta().is_composite_pk
    must_pre_select = self.must_pre_select()
    # Reset the where clause and drop the tables the sub-select holds.
    self.query.clear_where()
    if must_pre_select:
        idents = []
        related_ids = collections.defaultdict(list)
        pre_selected = getattr(self, "pre_selected_rows", None)
        if pre_selected is None:
            raise RuntimeError("this UPDATE reads its pks first: run it with `await compiler.execute_sql(...)`")
        for rows in pre_selected:
            idents.extend(row if is_composite_pk else row[0] for row in rows)
            for parent, index in related_ids_index:
                related_ids[parent].extend(r[index] for r in rows)
        self.query.add_filter("pk__in", idents)
        self.query.related_ids = related_ids
    else:
        # No related updates to collect ids for: one UPDATE with a subquery filter.
        self.query.add_filter("pk__in", query)
    self.query.reset_refcounts(refcounts_before)


@override("SQLUpdateCompiler.execute_sql", upstream="d9c19c14b9cc")
async def execute_sql(self, result_type):
    """Run the UPDATE (and the updates of parent tables it carries) and give the row count
    of the first statement that had any SQL; the parents' counts are not reported."""
    if self.must_pre_select():
        refcounts_before = self.query.alias_refcount.copy()
        query, _ = self.pre_select_query()
        self.pre_selected_rows = await query.get_compiler(self.using).execute_sql(MULTI)
        self.query.reset_refcounts(refcounts_before)
    row_count = await super().execute_sql(result_type)
    is_empty = row_count is None
    row_count = row_count or 0
    for query in self.query.get_related_updates():
        # With result_type NO_RESULTS the aux row count is None.
        aux_row_count = await query.get_compiler(self.using).execute_sql(result_type)
        if is_empty and aux_row_count:
            row_count = aux_row_count
            is_empty = False
    return row_count


@override("SQLInsertCompiler.execute_sql", upstream="bd49b1178d70")
async def execute_sql(self, returning_fields=None):
    """Run the INSERT (its SQL reused from an earlier one of the same shape where that gives
    the same statement: teapot.compiled_inserts) and return the rows of ``returning_fields``
    it gave back, converted."""
    features = self.connection.features
    several = len(self.query.objs) != 1
    # Callers ask for returned rows of a multi-row INSERT only where the database gives them.
    assert not (returning_fields and several and not features.can_return_rows_from_bulk_insert)
    table = self.query.get_meta().db_table
    new_id_only = compiled_inserts.reads_new_id_only(self.connection, self.query, returning_fields)
    # Without returning fields, the SQL has no RETURNING clause.
    self.returning_fields = None if new_id_only else returning_fields
    async with self.connection.cursor() as cursor:
        for sql, params in compiled_inserts.statements(self):
            await cursor.execute(sql, params)
        if not returning_fields:
            return []
        if new_id_only:
            returned = returning_fields
            rows = [(self.connection.ops.last_insert_id(cursor, table, returned[0].column),)]
        elif features.can_return_rows_from_bulk_insert and several:
            rows = await self.connection.ops.fetch_returned_insert_rows(cursor)
            returned = returning_fields
        elif features.can_return_columns_from_insert:
            rows = [await self.connection.ops.fetch_returned_insert_columns(cursor, self.returning_params)]
            returned = returning_fields
        elif isinstance(returning_fields[0], AutoField):
            # No RETURNING: the driver knows the id the row was given.
            returned = returning_fields[:1]
            rows = [(self.connection.ops.last_insert_id(cursor, table, returned[0].column),)]
        else:
            return []
    converters = compiled_inserts.returned_converters(self, returned, table)
    return list(self.apply_converters(rows, converters) if converters else rows)
