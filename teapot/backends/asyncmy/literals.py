"""SQL literals for the statements the MySQL schema editor composes on the client (upstream
asks the live MySQLdb connection to escape; asyncmy's escaping needs no connection)."""

from __future__ import annotations

from asyncmy.converters import conversions, escape_item, escape_str


def quote(value, no_backslash_escapes: bool = False) -> str:
    """The SQL literal for ``value``. With NO_BACKSLASH_ESCAPES in sql_mode a backslash is an
    ordinary character, so only quotes are doubled."""
    if isinstance(value, str):
        if no_backslash_escapes:
            return "'" + value.replace("'", "''") + "'"
        return escape_str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "X'" + bytes(value).hex() + "'"
    return escape_item(value, "utf8mb4", conversions)
