"""SQLite backend on aiosqlite.

It subclasses the generated SQLite backend and replaces only what touches the driver:
connecting, cursors, autocommit, and the PRAGMA-based constraint helpers whose upstream
code chains calls on sqlite3's synchronous cursor. SQL generation is upstream's.

aiosqlite runs each connection's sqlite3 calls on a thread of its own; ``_on_thread`` runs a
plain function there, so Django's sqlite3 setup code (functions, PRAGMAs) runs unchanged.
"""

from __future__ import annotations

import asyncio
import sqlite3

import aiosqlite

from teapot.backends import CURSOR_OUTLIVED_ITS_LEASE
from teapot.db.backends.sqlite3 import base as sqlite3_base
from teapot.db.backends.sqlite3._functions import register as register_functions

Database = sqlite3


async def _on_thread(conn: aiosqlite.Connection, fn, *args):
    return await conn._execute(fn, *args)


# The in-memory database is shared by its connections through SQLite's shared cache, whose
# table locks fail at once with SQLITE_LOCKED: the busy timeout that makes a file database's
# writers queue is never consulted. A statement that failed so, having changed nothing, is
# tried again until the connection's timeout, as a file database would wait.
_LOCK_WAIT_FIRST = 0.001
_LOCK_WAIT_MOST = 0.05


def _unless_locked(raw: sqlite3.Connection, fn, *args):
    """Run ``fn`` on the driver's thread; return ``(True, error)`` where a shared-cache table
    lock stopped it before it changed anything, else ``(False, result)``."""
    changes = raw.total_changes
    try:
        return False, fn(*args)
    except sqlite3.OperationalError as exc:
        if exc.sqlite_errorcode & 0xFF == sqlite3.SQLITE_LOCKED and raw.total_changes == changes:
            return True, exc
        raise


class AsyncCursor:
    """A sqlite3 cursor (upstream's SQLiteCursorWrapper, which converts %s to ?) whose calls
    run on the connection's thread and are awaited."""

    __slots__ = ("_wrapper", "_conn", "_cursor")

    def __init__(self, wrapper, conn: aiosqlite.Connection, cursor: sqlite3.Cursor):
        self._wrapper = wrapper
        self._conn = conn
        self._cursor = cursor

    async def execute(self, query, params=None):
        await self._interruptible(self._cursor.execute, query, params)
        return self

    async def executemany(self, query, param_list):
        await self._interruptible(self._cursor.executemany, query, list(param_list))
        return self

    async def _interruptible(self, fn, *args):
        if self._wrapper.connection is not self._conn:
            raise sqlite3.InterfaceError(CURSOR_OUTLIVED_ITS_LEASE)
        try:
            wait, deadline = _LOCK_WAIT_FIRST, None
            while True:
                locked, outcome = await _on_thread(self._conn, _unless_locked, self._conn._conn, fn, *args)
                if not locked:
                    return outcome
                now = asyncio.get_running_loop().time()
                deadline = deadline or now + self._wrapper.lock_timeout
                if now >= deadline:
                    raise outcome
                await asyncio.sleep(min(wait, deadline - now))
                wait = min(wait * 2, _LOCK_WAIT_MOST)
        except asyncio.CancelledError:
            # The statement goes on in the driver's thread: stop it there (the one sqlite3
            # call meant for another thread); an interrupted write rolls its transaction back.
            if (raw := self._conn._connection) is not None:
                raw.interrupt()
            # What it did is known only once it ends (a BEGIN may have gone through): the
            # connection goes back to the pool, whose reset is queued behind it.
            self._wrapper.release_interrupted(self._conn)
            raise

    async def fetchone(self):
        return await _on_thread(self._conn, self._cursor.fetchone)

    async def fetchmany(self, size=None):
        return await _on_thread(self._conn, self._cursor.fetchmany, size or self._cursor.arraysize)

    async def fetchall(self):
        return await _on_thread(self._conn, self._cursor.fetchall)

    async def close(self):
        await _on_thread(self._conn, self._cursor.close)

    @property
    def rowcount(self):
        return self._cursor.rowcount

    @property
    def lastrowid(self):
        return self._cursor.lastrowid

    @property
    def description(self):
        return self._cursor.description


class DatabaseWrapper(sqlite3_base.DatabaseWrapper):
    display_name = "SQLite (aiosqlite)"

    @property
    def lock_timeout(self) -> float:
        """How long a statement waits for another connection's lock: sqlite3's ``timeout``
        option (seconds, 5 by default)."""
        return float(self.settings_dict["OPTIONS"].get("timeout", 5.0))

    def _prepare_connection(self, raw: sqlite3.Connection) -> None:
        """Upstream's connection setup, run on the driver's thread."""
        register_functions(raw)
        raw.execute("PRAGMA foreign_keys = ON")
        # Some builds (macOS's) switch legacy_alter_table on, and table renames then stop
        # being atomic.
        raw.execute("PRAGMA legacy_alter_table = OFF")
        for init_command in self.init_commands:
            if init_command := init_command.strip():
                raw.execute(init_command)
        raw.isolation_level = None  # autocommit until set_autocommit says otherwise

    def _read_server_facts(self, raw: sqlite3.Connection) -> dict:
        try:
            raw.execute('SELECT JSON(\'{"a": "b"}\')')
            json_ok = True
        except sqlite3.OperationalError:
            json_ok = False
        return {"supports_json_field": json_ok, "supports_transactions": True}

    async def get_new_connection(self, conn_params):
        conn = aiosqlite.connect(**conn_params)
        # aiosqlite's worker thread is not a daemon: a connection left open (a wrapper that is
        # not in a pool, never closed) would keep the interpreter from exiting, where sqlite3's
        # connections do not. Uncommitted work is rolled back by SQLite's journal anyway.
        conn._thread.daemon = True
        await conn
        try:
            await _on_thread(conn, self._prepare_connection, conn._conn)
            self.server_facts.update(await _on_thread(conn, self._read_server_facts, conn._conn))
        except BaseException:
            await conn.close()
            raise
        return conn

    def get_connection_params(self):
        params = super().get_connection_params()
        params.pop("pool", None)  # teapot's pool options (teapot.pool)
        if params["database"] == ":memory:":
            # Every connection of this alias must see the same in-memory database.
            params["database"] = f"file:teapot_memory_{self.alias}?mode=memory&cache=shared"
        return params

    async def create_cursor(self, name=None):
        raw = await _on_thread(self.connection, self.connection._conn.cursor, sqlite3_base.SQLiteCursorWrapper)
        return AsyncCursor(self, self.connection, raw)

    async def _set_autocommit(self, autocommit):
        # sqlite3: None is autocommit; '' (its default) opens transactions implicitly.
        level = None if autocommit else ""
        with self.wrap_database_errors:
            await _on_thread(self.connection, setattr, self.connection._conn, "isolation_level", level)

    async def is_usable(self):
        return self.connection is not None

    def is_in_memory_db(self):
        return self.creation.is_in_memory_db(self.settings_dict["NAME"])

    async def _pragma(self, sql):
        async with self.cursor() as cursor:
            await cursor.execute(sql)
            return await cursor.fetchall()

    async def disable_constraint_checking(self):
        await self._pragma("PRAGMA foreign_keys = OFF")
        # Inside a transaction SQLite ignores the PRAGMA: say whether checks are really off.
        return not (await self._pragma("PRAGMA foreign_keys"))[0][0]

    async def enable_constraint_checking(self):
        await self._pragma("PRAGMA foreign_keys = ON")

    async def check_constraints(self, table_names=None):
        """Raise IntegrityError for any row that breaks a foreign key (upstream's check)."""
        from teapot.db import IntegrityError

        if table_names is None:
            violations = await self._pragma("PRAGMA foreign_key_check")
        else:
            violations = []
            for table_name in table_names:
                violations += await self._pragma(
                    "PRAGMA foreign_key_check(%s)" % self.ops.quote_name(table_name)
                )
        for table_name, rowid, referenced_table_name, foreign_key_index in violations:
            fk = (await self._pragma("PRAGMA foreign_key_list(%s)" % self.ops.quote_name(table_name)))[foreign_key_index]
            column_name, referenced_column_name = fk[3:5]
            async with self.cursor() as cursor:
                pk = await self.introspection.get_primary_key_column(cursor, table_name)
                await cursor.execute(
                    "SELECT %s, %s FROM %s WHERE rowid = %%s"
                    % (self.ops.quote_name(pk), self.ops.quote_name(column_name), self.ops.quote_name(table_name)),
                    (rowid,),
                )
                primary_key_value, bad_value = await cursor.fetchone()
            raise IntegrityError(
                "The row in table '%s' with primary key '%s' has an "
                "invalid foreign key: %s.%s contains a value '%s' that "
                "does not have a corresponding value in %s.%s."
                % (
                    table_name,
                    primary_key_value,
                    table_name,
                    column_name,
                    bad_value,
                    referenced_table_name,
                    referenced_column_name,
                )
            )

    async def close(self):
        # Upstream keeps an in-memory database's connection open; the pool keeps one such
        # connection for as long as it lives (raw_needs_keeper), so this one can go back.
        await sqlite3_base.BaseDatabaseWrapper.close(self)

    # The pool's operations on a connection (see teapot.pool).

    def raw_is_clean(self, raw):
        sqlite = raw._connection
        autocommit = sqlite is not None and sqlite.isolation_level is None
        return sqlite is not None and not sqlite.in_transaction and autocommit == self.settings_dict["AUTOCOMMIT"]

    def raw_is_closed(self, raw):
        return raw._connection is None

    async def raw_ping(self, raw):
        await _on_thread(raw, raw._conn.execute, "SELECT 1")

    async def raw_reset(self, raw):
        # One call on the driver's thread, queued after anything a cancelled task left there.
        await _on_thread(raw, self._settle, raw._conn, None if self.settings_dict["AUTOCOMMIT"] else "")

    @staticmethod
    def _settle(sqlite: sqlite3.Connection, isolation_level):
        if sqlite.in_transaction:
            sqlite.rollback()
        sqlite.isolation_level = isolation_level

    async def raw_close(self, raw):
        await raw.close()

    def raw_terminate(self, raw):
        if raw._connection is not None:
            raw.stop()  # closes on the driver's thread, which then ends

    def raw_needs_keeper(self):
        return self.is_in_memory_db()
