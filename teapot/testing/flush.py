"""Emptying the tables of the installed models, for tests that commit. Hand-written.

The SQL is the backend's own ``sql_flush()``: one ``TRUNCATE ... RESTART IDENTITY`` of every
table on PostgreSQL (``CASCADE`` when asked), ``TRUNCATE`` between ``SET FOREIGN_KEY_CHECKS =
0`` and ``= 1`` on MySQL/MariaDB, ``DELETE FROM`` each table and its ``sqlite_sequence`` row on
SQLite (whose foreign keys are checked at COMMIT), run in one lease.
"""

from __future__ import annotations

from teapot.db import connections


class _NoStyle:
    """``sql_flush()`` colours its SQL for a terminal through a style: here, plain text."""

    def __getattr__(self, name):
        return str


async def flush(aliases, *, allow_cascade=False):
    """Empty every table of the installed models (those that exist) on ``aliases`` and reset
    their sequences. ``allow_cascade``: on PostgreSQL, also empty the tables that reference
    them, which a plain TRUNCATE of these tables alone refuses."""
    from teapot.apps import apps

    for alias in aliases:
        connection = connections[alias]
        tables = set(await connection.introspection.table_names())
        models = apps.get_models(include_auto_created=True)
        names = sorted({m._meta.db_table for m in models if m._meta.db_table in tables})
        # SQLite's emulation of CASCADE queries the schema for each table and would add none
        # here (every model's table is emptied already); MySQL ignores it.
        cascade = allow_cascade and connection.vendor == "postgresql"
        statements = await connection.ops.sql_flush(_NoStyle(), names, reset_sequences=True, allow_cascade=cascade)
        if statements:
            await connection.ops.execute_sql_flush(statements)
