"""What Django's PostgreSQL backend imports from ``psycopg_any``, for asyncpg.

The generated ``teapot.db.backends.postgresql.psycopg_any`` re-exports these names.
``is_psycopg3`` is False: the upstream branches it guards use psycopg 3's adapters, which
asyncpg replaces with its own codecs (see ``codecs.py``).
"""

from __future__ import annotations

from enum import IntEnum

from . import literals
from .dbapi import errors
from .literals import Inet, Jsonb

__all__ = ["Inet", "IsolationLevel", "Jsonb", "errors", "is_psycopg3", "mogrify", "sql"]

is_psycopg3 = False


class IsolationLevel(IntEnum):
    """The isolation levels OPTIONS["isolation_level"] accepts (psycopg's values)."""

    READ_UNCOMMITTED = 1
    READ_COMMITTED = 2
    REPEATABLE_READ = 3
    SERIALIZABLE = 4

    @property
    def sql(self) -> str:
        return self.name.replace("_", " ")


def mogrify(sql, params, connection):
    """``ops.compose_sql``: the SQL with its parameters as literals, without a round trip."""
    return literals.mogrify(sql, params)


class sql:  # noqa: N801 - stands in for the psycopg.sql module
    @staticmethod
    def quote(value, connection=None):
        return literals.quote_as_psycopg(value)
