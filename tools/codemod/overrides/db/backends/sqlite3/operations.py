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
