"""SQL literals for the statements Django composes on the client.

psycopg gives Django ``mogrify()`` (``ops.compose_sql``: the schema editor's DDL with default
values, ``SET ROLE``, ``last_executed_query``) and ``sql.quote()``; asyncpg has neither, so
these build the literal text. Strings become ``E'...'`` literals with quotes and backslashes
escaped, which the server reads the same whatever ``standard_conforming_strings`` says; NUL
characters are refused (DataError), as PostgreSQL cannot store them. Every value gets an explicit cast
where its type is not plain text, so a literal never changes meaning with its context.
"""

from __future__ import annotations

import datetime
import decimal
import ipaddress
import math
import uuid

from .dbapi import DataError, ProgrammingError
from .placeholders import bind

NUL_MESSAGE = "PostgreSQL text fields cannot contain NUL (0x00) bytes"  # psycopg 3's words


class Jsonb:
    """A value for a ``jsonb`` parameter, dumped with the field's encoder (psycopg's Jsonb)."""

    __slots__ = ("obj", "dumps")

    def __init__(self, obj, dumps=None):
        import json

        self.obj = obj
        self.dumps = dumps or json.dumps

    def dumped(self) -> str:
        return self.dumps(self.obj)

    def __repr__(self):
        return f"Jsonb({self.obj!r})"


class Inet(str):
    """An ``inet`` parameter (psycopg2's Inet): the address text."""

    __slots__ = ()


def refuse_nul(text: str) -> str:
    if "\x00" in text:
        raise DataError(NUL_MESSAGE)
    return text


def quote_string(text: str) -> str:
    refuse_nul(text)
    return "E'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def quote(value) -> str:
    """The SQL literal for ``value``."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return f"'{value!r}'::float8".replace("inf", "Infinity").replace("nan", "NaN")
        return repr(value) + "::float8"
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            return "'NaN'::numeric" if value.is_nan() else f"'{'-' if value < 0 else ''}Infinity'::numeric"
        return f"'{value}'::numeric"
    if isinstance(value, Inet):
        return quote_string(str(value)) + "::inet"
    if isinstance(value, str):
        return quote_string(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "'\\x" + bytes(value).hex() + "'::bytea"
    if isinstance(value, Jsonb):
        return quote_string(value.dumped()) + "::jsonb"
    if isinstance(value, datetime.datetime):
        return f"'{value.isoformat()}'::{'timestamptz' if value.tzinfo else 'timestamp'}"
    if isinstance(value, datetime.date):
        return f"'{value.isoformat()}'::date"
    if isinstance(value, datetime.time):
        return f"'{value.isoformat()}'::{'timetz' if value.tzinfo else 'time'}"
    if isinstance(value, datetime.timedelta):
        return f"'{value.days} days {value.seconds} seconds {value.microseconds} microseconds'::interval"
    if isinstance(value, uuid.UUID):
        return f"'{value}'::uuid"
    if isinstance(value, (ipaddress.IPv4Address, ipaddress.IPv6Address, ipaddress.IPv4Interface, ipaddress.IPv6Interface)):
        return f"'{value}'::inet"
    if isinstance(value, (ipaddress.IPv4Network, ipaddress.IPv6Network)):
        return f"'{value}'::cidr"
    if isinstance(value, (list, tuple)):
        if isinstance(value, tuple):
            return "(" + ", ".join(quote(v) for v in value) + ")"
        return "ARRAY[" + ", ".join(quote(v) for v in value) + "]"
    raise ProgrammingError(f"cannot adapt {type(value).__name__} values to SQL literals")


def quote_as_psycopg(value) -> str:
    """The literal psycopg's ``sql.quote()`` writes for the values DDL defaults and checks
    hold (text, numbers, booleans, dates and times, UUIDs), so the schema editor's statements
    are Django's to the character; other values get ``quote()``'s spelling."""
    if isinstance(value, str) and not isinstance(value, Inet):
        refuse_nul(value)
        if "\\" in value:
            return " " + quote_string(value)  # psycopg's spelling, space included
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, (int, decimal.Decimal)) and not isinstance(value, bool):
        if isinstance(value, decimal.Decimal) and not value.is_finite():
            return quote(value)
        text = str(value)
        return " " + text if text.startswith("-") else text  # never "--", a comment
    if isinstance(value, float) and math.isfinite(value):
        text = repr(value)
        return " " + text if text.startswith("-") else text
    if isinstance(value, datetime.datetime):
        return f"'{value.isoformat(sep=' ')}'::{'timestamptz' if value.tzinfo else 'timestamp'}"
    if isinstance(value, uuid.UUID):
        return f"'{value.hex}'::uuid"
    if isinstance(value, Jsonb):
        return quote_as_psycopg(value.dumped()) + "::jsonb"
    return quote(value)


def mogrify(sql: str, params) -> str:
    """``sql`` with its placeholders replaced by literals of ``params`` (psycopg's mogrify)."""
    translation, args = bind(sql, params)
    if translation is None:
        return sql
    return translation.join([quote_as_psycopg(a) for a in args])
