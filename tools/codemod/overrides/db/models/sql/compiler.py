"""Overrides of django.db.models.sql.compiler: the async row pipeline.

``execute_sql(MULTI)`` returns the rows in chunks: a list of chunks for buffered reads, an
async iterator of chunks for streamed (chunked) reads. ``results_iter`` is an async
generator of rows that applies the same converters as upstream, chunk by chunk.
"""

from codemod.overrides import override


@override("cursor_iter", upstream="2843a36d01f4")
async def cursor_iter(cursor, sentinel, col_count, itersize):
    """Yield blocks of rows from a cursor and ensure the cursor is closed when done."""
    try:
        while True:
            rows = await cursor.fetchmany(itersize)
            if not rows or rows == sentinel:
                break
            yield rows if col_count is None else [r[:col_count] for r in rows]
    finally:
        await cursor.close()


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
    async for rows in chunks:
        if converters:
            rows = self.apply_converters(rows, converters)
        if composite:
            rows = self.composite_fields_to_tuples(rows, fields)
        if tuple_expected:
            rows = map(tuple, rows)
        for row in rows:
            yield row


@override("SQLCompiler.execute_sql", upstream="72a4cfa0eec4")
async def execute_sql(
    self, result_type=MULTI, chunked_fetch=False, chunk_size=GET_ITERATOR_CHUNK_SIZE
):
    """
    Run the query against the database and return the result(s). The return value
    depends on result_type, as upstream: MULTI gives the rows in chunks (a list, or an
    async iterator for chunked reads); SINGLE one row; ROW_COUNT the row count; CURSOR
    the open cursor, which the caller closes.
    """
    result_type = result_type or NO_RESULTS
    try:
        sql, params = self.as_sql()
        if not sql:
            raise EmptyResultSet
    except EmptyResultSet:
        if result_type == MULTI:
            return []
        else:
            return
    if chunked_fetch:
        cursor = await self.connection.chunked_cursor()
    else:
        cursor = await self.connection.cursor()
    try:
        await cursor.execute(sql, params)
    except BaseException:
        # Might fail for server-side cursors (e.g. connection closed), or be cancelled.
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
    # Some backends return 1 item tuples with strings, and others return
    # tuples with integers and strings. Flatten them out into strings.
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
