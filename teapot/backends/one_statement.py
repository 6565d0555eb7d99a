"""One statement run start to end, for callers that read its result at once.

The statements teapot reuses (teapot.compiled_gets, compiled_filters, compiled_inserts) run
one statement and read its result straight away. Through ``async with connection.cursor()``
that takes a cursor context, Django's ``CursorWrapper`` and a coroutine per layer for each
of execute, fetch and close: on MariaDB a third of teapot's own work per ``create()``.
``run()`` does the same steps in one coroutine, on the backend's own cursor: lease a
connection, refuse a broken transaction, execute and read under the backend's error mapping,
close, and end the lease if nothing else needs it.

What ``CursorWrapper`` adds beyond that is kept by leaving the work to it: with the query log
on (``DEBUG``, ``force_debug_cursor``, a ``CaptureQueriesContext``), with execute wrappers
installed, or before the app registry is ready (the warning about queries at import time),
``run()`` goes through ``connection.cursor()``.
"""

from __future__ import annotations

from teapot.apps import apps


async def run(connection, sql, params, read):
    """Execute ``sql`` with ``params`` on ``connection`` (a DatabaseWrapper) and return
    ``await read(cursor)``, the cursor having executed it; the same result and errors as
    doing so through ``connection.cursor()``."""
    if connection.execute_wrappers or connection.queries_logged or not apps.ready:
        async with connection.cursor() as cursor:
            await cursor.execute(sql, params)
            return await read(cursor)
    if connection.health_check_enabled:
        await connection.close_if_health_check_failed()
    await connection.ensure_connection()
    with connection.wrap_database_errors:
        connection.validate_thread_sharing()
        cursor = await connection.create_cursor()
    leased = connection.cursor_opened()
    try:
        connection.validate_no_broken_transaction()
        with connection.wrap_database_errors:
            await cursor.execute(sql, params)
            return await read(cursor)
    finally:
        try:
            await cursor.close()
        except connection.Database.Error:
            pass  # as leaving a cursor's block: a failed close hides nothing the block raised
        finally:
            connection.cursor_closed(leased)


async def fetch_one(cursor):
    return await cursor.fetchone()


async def fetch_all(cursor):
    return await cursor.fetchall()


async def row_count(cursor):
    return cursor.rowcount
