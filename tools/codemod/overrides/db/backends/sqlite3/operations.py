"""Overrides of django.db.backends.sqlite3.operations."""

from tools.codemod.overrides import override


@override("DatabaseOperations._quote_params_for_last_executed_query", upstream="c913255b6d5b")
def _quote_params_for_last_executed_query(self, params):
    """Quote params as SQLite literals for debug output, without a round trip."""

    def quote(value):
        if value is None:
            return "NULL"
        if isinstance(value, bool):
            return str(int(value))
        if isinstance(value, (int, float)):
            return repr(value)
        if isinstance(value, (bytes, bytearray, memoryview)):
            return "X'%s'" % bytes(value).hex()
        return "'%s'" % str(value).replace("'", "''")

    return tuple(quote(p) for p in params)


@override("DatabaseOperations._references_graph", upstream="2fc64d16aca4")
@cached_property
def _references_graph(self):
    """A coroutine function giving the tables that reference a table, directly or through
    others, each table's answer kept (upstream's lru_cache would keep the coroutine object,
    which cannot be awaited twice)."""
    found = {}

    async def references(table_name):
        if table_name not in found:
            found[table_name] = await self.__references_graph(table_name)
        return found[table_name]

    return references


@override("DatabaseOperations.sql_flush", upstream="564e5d49fae1")
async def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
    """DELETE FROM each table (and its sqlite_sequence row when ``reset_sequences``). SQLite has
    no TRUNCATE ... CASCADE: with ``allow_cascade`` the tables that reference them are read from
    the schema, a query, hence a coroutine (and the same method is one on every backend)."""
    if tables and allow_cascade:
        tables = {name for table in tables for name in await self._references_graph(table)}
    sql = [
        "%s %s %s;"
        % (
            style.SQL_KEYWORD("DELETE"),
            style.SQL_KEYWORD("FROM"),
            style.SQL_FIELD(self.quote_name(table)),
        )
        for table in tables
    ]
    if reset_sequences:
        sequences = [{"table": table} for table in tables]
        sql.extend(self.sequence_reset_by_name_sql(style, sequences))
    return sql
