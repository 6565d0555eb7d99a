"""MySQL and MariaDB backend on asyncmy.

It subclasses the generated MySQL backend and replaces only what touches the driver:
connecting, cursors, autocommit, commit/rollback, closing and the health check. SQL
generation, feature flags and error translation (upstream's ``CursorWrapper``) are upstream's.

The server's variables (version, sql_mode, ...) are read with one query while connecting, so
the feature flags and SQL compilation that depend on them never query.

A connection whose I/O was interrupted (a cancelled task, a timeout, a failing converter) may
be in the middle of a result: it is closed and never reused; the next query reconnects.
"""

from __future__ import annotations

import asyncio
import collections
import logging

import asyncmy
from asyncmy.constants import SERVER_STATUS
from asyncmy.cursors import SSCursor

from teapot.backends.cursors import DriverCursor, passed_on
from teapot.backends.asyncmy import dbapi as Database
from teapot.db import Error
from teapot.db.backends.base.base import BaseDatabaseWrapper, CursorContext
from teapot.db.backends.mysql import base as mysql_base
from teapot.db.backends.mysql import features as mysql_features

logger = logging.getLogger("teapot.backends.asyncmy")

# Upstream's mysql_server_data query: CONVERT_TZ returns NULL when the server's time-zone
# tables are not loaded.
SERVER_DATA_SQL = """
    SELECT VERSION(),
           @@sql_mode,
           @@default_storage_engine,
           @@sql_auto_is_null,
           @@lower_case_table_names,
           CONVERT_TZ('2001-01-01 01:00:00', 'UTC', 'UTC') IS NOT NULL
"""


def _streaming(raw: asyncmy.Connection) -> bool:
    """Whether an unbuffered result is still being read off ``raw``."""
    return bool(getattr(raw._result, "unbuffered_active", False))


class BinaryValue:
    """A bytes parameter. asyncmy escapes bytes itself, before any encoder is consulted, as
    _binary'...' over surrogate escapes, which breaks on bytes that are not UTF-8 (b"\xff");
    a hex literal carries any bytes."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    @staticmethod
    def literal(param, mapping=None) -> str:
        return "X'" + bytes(param.value).hex() + "'"


def _binary_values(params):
    binary = (bytes, bytearray, memoryview)
    if hasattr(params, "items"):
        return {k: BinaryValue(v) if isinstance(v, binary) else v for k, v in params.items()}
    return [BinaryValue(v) if isinstance(v, binary) else v for v in params]


class DiscardIfInterrupted:
    """DatabaseWrapper._discard_if_interrupted(): a class rather than a generator-based
    context manager, as it wraps every statement and fetch and costs a tenth as much."""

    __slots__ = ("_wrapper", "_raw")

    def __init__(self, wrapper: DatabaseWrapper, raw: asyncmy.Connection):
        self._wrapper = wrapper
        self._raw = raw

    def __enter__(self):
        return None

    def __exit__(self, exc_type, exc, traceback):
        if exc_type is not None:
            # Database.Error as asyncmy raises it; Error once wrap_database_errors translated it.
            if not isinstance(exc, (Database.Error, Error)):
                # Interrupted by us (asyncmy closes a connection cancelled mid-read itself):
                # the server may still be running the statement, so the pool ends the session.
                self._wrapper.forget_connection(self._raw, interrupted=True)
            elif not self._raw.connected:
                self._wrapper.forget_connection(self._raw, interrupted=False)  # the server or network ended it
        return False


class AsyncCursor(DriverCursor):
    """asyncmy's cursor as upstream's CursorWrapper expects a MySQLdb cursor, awaited.

    Parameters are bound on the client before any I/O (as mysqlclient does: ``%%`` is a
    literal ``%`` when there are parameters, and no interpolation happens without them), so
    an exception raised while the query is on the wire is an interruption, not a bad value.
    """

    __slots__ = ("_executed",)
    interface_error = Database.InterfaceError

    def __init__(self, wrapper: DatabaseWrapper, conn: asyncmy.Connection):
        super().__init__(wrapper, conn, conn.cursor())
        self._executed = None  # the SQL last sent, for ops.last_executed_query

    async def execute(self, query, params=None):
        self._check_lease()
        if params is not None:
            query = self._cursor.mogrify(query, _binary_values(params))
        self._executed = query
        await self._wrapper.before_statement()
        with self._wrapper._discard_if_interrupted(self._conn):
            return await self._cursor.execute(query)

    async def executemany(self, query, param_list):
        self._check_lease()
        param_list = [_binary_values(p) for p in param_list]
        # asyncmy folds an INSERT ... VALUES into one multi-row statement and binds the rows
        # itself, between sends: each row is bound here first, so that a row it cannot bind (a
        # wrong number of values) raises before any I/O and costs no connection. The ORM never
        # calls executemany(); raw cursors do.
        for params in param_list:
            self._cursor.mogrify(query, params)
        await self._wrapper.before_statement()
        with self._wrapper._discard_if_interrupted(self._conn):
            return await self._cursor.executemany(query, param_list)

    async def callproc(self, procname, args=()):
        self._check_lease()
        await self._wrapper.before_statement()
        with self._wrapper._discard_if_interrupted(self._conn):
            return await self._cursor.callproc(procname, args)

    async def nextset(self):
        with self._wrapper._discard_if_interrupted(self._conn):
            return await self._cursor.nextset()

    # asyncmy's buffered cursor read every row in execute(): its fetches do no I/O, so
    # nothing can interrupt them half way (StreamingCursor's fetches read the wire).

    async def fetchone(self):
        self._check_open()
        return await self._cursor.fetchone()

    async def fetchmany(self, size=None):
        self._check_open()
        return await self._cursor.fetchmany(size)

    async def fetchall(self):
        self._check_open()
        return await self._cursor.fetchall()

    async def close(self):
        self._closed = True
        with self._wrapper._discard_if_interrupted(self._conn):
            await self._cursor.close()



class ErrorMappingCursor(mysql_base.CursorWrapper):
    """Upstream's MySQL cursor wrapper (some OperationalErrors become IntegrityError) with the
    calls every statement makes defined here: upstream finds them through ``__getattr__``,
    which runs only after the ordinary lookup has failed and raised an AttributeError."""

    async def fetchone(self):
        return await self.cursor.fetchone()

    async def fetchmany(self, size=None):
        return await self.cursor.fetchmany(size)

    async def fetchall(self):
        return await self.cursor.fetchall()

    async def close(self):
        return await self.cursor.close()

    rowcount, lastrowid, description = passed_on("cursor", ("rowcount", "lastrowid", "description"))


class StreamingCursor(AsyncCursor):
    """iterator()'s cursor: rows come off the wire a chunk at a time (asyncmy's unbuffered
    SSCursor) instead of the whole result first. MySQL cannot interleave statements on one
    connection: anything sent on it while the stream is being read (a query in the loop body,
    prefetch_related, a COMMIT) first reads the rest of the stream into memory, so no row is
    lost. Closing it before its end (a stream left early) stops the statement on the server
    instead of reading what is left: see DatabaseWrapper.stop_stream."""

    __slots__ = ("_rest",)

    def __init__(self, wrapper: DatabaseWrapper, conn: asyncmy.Connection):
        DriverCursor.__init__(self, wrapper, conn, conn.cursor(SSCursor))
        self._executed = None
        self._rest = None  # the unread rows, once something else needed the connection

    async def execute(self, query, params=None):
        self._rest = None
        result = await super().execute(query, params)
        self._wrapper.open_stream = self
        return result

    async def read_rest(self):
        with self._wrapper._discard_if_interrupted(self._conn):
            self._rest = collections.deque(await self._cursor.fetchall())
        self._end()

    def _end(self):
        if self._wrapper.open_stream is self:
            self._wrapper.open_stream = None

    def _take(self, size):
        return [self._rest.popleft() for _ in range(min(size, len(self._rest)))]

    async def fetchone(self):
        if self._rest is not None:
            return self._rest.popleft() if self._rest else None
        self._check_lease()
        row = await super().fetchone()
        if row is None:
            self._end()
        return row

    async def fetchmany(self, size=None):
        size = size or self._cursor.arraysize
        if self._rest is not None:
            return self._take(size)
        self._check_lease()
        rows = await super().fetchmany(size)
        if not rows:
            self._end()
        return rows

    async def fetchall(self):
        if self._rest is not None:
            return self._take(len(self._rest))
        self._check_lease()
        rows = await super().fetchall()
        self._end()
        return rows

    async def close(self):
        if self._wrapper.open_stream is self and self._wrapper.connection is self._conn:
            if _streaming(self._conn):
                await self._wrapper.stop_stream(self)
            else:
                await super().close()
        self._end()
        self._rest = None
        self._closed = True


ER_QUERY_INTERRUPTED = 1317  # what a statement stopped by KILL QUERY answers
ER_NO_SUCH_THREAD = 1094  # KILL of a session that has ended already


class DatabaseFeatures(mysql_features.DatabaseFeatures):
    # MariaDB can return an INSERT's new id by RETURNING, as a result set; the INSERT's own
    # reply carries it too, and reading a result set costs the server and asyncmy 20-30 µs more
    # per create() (Django 5.2 asks for RETURNING on MariaDB; on MySQL it reads the reply).
    reads_new_id_without_returning = True


class DatabaseWrapper(mysql_base.DatabaseWrapper):
    features_class = DatabaseFeatures
    open_stream = None  # the StreamingCursor whose result is still on the wire
    # How long stopping a stream may take (KILL QUERY, then the few rows already sent) before
    # the connection is given up instead.
    stop_stream_timeout = 5.0
    # The pool's reset ends the session of a connection with a stream on the wire: a stream
    # left early outside a transaction gives its connection back at once (abandon_stream).
    reset_stops_streams = True

    def chunked_cursor(self):
        return CursorContext(self._cursor(name="stream"))

    async def settle_stream(self):
        """Read the rest of an unread stream, before the connection is used for anything else."""
        stream = self.open_stream
        if stream is not None:
            if stream._conn is not self.connection:  # of a connection given back since
                self.open_stream = None
                return
            await stream.read_rest()

    async def before_statement(self):
        """Make the connection ready for a statement: an unread stream read, and autocommit
        back on if this wrapper is in autocommit mode while the session is not (see
        _set_autocommit)."""
        await self.settle_stream()
        raw = self.connection
        if self.autocommit and not raw.get_autocommit():
            with self.wrap_database_errors, self._discard_if_interrupted(raw):
                await raw.autocommit(True)

    async def stop_stream(self, stream: StreamingCursor):
        """Stop a stream left before its end: MySQL sends a result to its end whatever the
        client does, so reading the rest would cost the server the whole result (and this task
        the time to read it). KILL QUERY from another connection stops the statement; the
        rows already on their way are read off and dropped, and the connection, its session
        and its transaction go on. If that fails, the connection is given up (the pool ends
        its session; inside an atomic block the transaction is lost, as after a cancellation)."""
        raw = stream._conn
        try:
            async with asyncio.timeout(self.stop_stream_timeout):
                await self._kill(self.raw_session(raw), query_only=True)
                try:
                    await stream._cursor.close()  # the rows already sent, then the server's error
                except Database.OperationalError as exc:
                    if exc.args[0] != ER_QUERY_INTERRUPTED:
                        raise
        except BaseException as exc:
            self.forget_connection(raw)
            if not isinstance(exc, Exception):
                raise
            logger.info("Gave up a connection whose unread stream could not be stopped: %r", exc)

    @property
    def display_name(self):
        if "mysql_server_data" not in self.server_facts:
            return "MySQL/MariaDB"  # not connected yet: which one is not known
        return "MariaDB" if self.mysql_is_mariadb else "MySQL"

    @property
    def isolation_level(self):
        """The configured transaction isolation level (OPTIONS["isolation_level"], validated):
        set when the connection parameters are read, which a task's wrapper does at its first
        lease; read before that, it reads them now (no I/O)."""
        if "_isolation_level" not in self.__dict__:
            self.get_connection_params()
        return self.__dict__["_isolation_level"]

    @isolation_level.setter
    def isolation_level(self, value):
        self.__dict__["_isolation_level"] = value

    def get_connection_params(self):
        params = super().get_connection_params()
        params.pop("pool", None)  # teapot's pool options (teapot.pool)
        params["conv"] = {**params["conv"], BinaryValue: BinaryValue.literal}
        # The server's default (on); connect() sets the configured mode right after, and
        # asyncmy skips the statement when the mode is already right.
        params.setdefault("autocommit", None)
        return params

    async def get_new_connection(self, conn_params):
        raw = await asyncmy.connect(**conn_params)
        try:
            async with raw.cursor() as cursor:
                await cursor.execute(SERVER_DATA_SQL)
                row = await cursor.fetchone()
        except BaseException:
            raw.close()
            raise
        self.server_facts["mysql_server_data"] = {
            "version": row[0],
            "sql_mode": row[1],
            "default_storage_engine": row[2],
            "sql_auto_is_null": bool(row[3]),
            "lower_case_table_names": bool(row[4]),
            "has_zoneinfo_database": bool(row[5]),
        }
        return raw

    async def init_connection_state(self):
        await BaseDatabaseWrapper.init_connection_state(self)
        # Upstream's session settings, one statement each: upstream joins them with "; ",
        # which needs CLIENT.MULTI_STATEMENTS, and teapot leaves that off so that an injected
        # "; DROP ..." cannot run.
        async with self.cursor() as cursor:
            if self.features.is_sql_auto_is_null_enabled:
                # Make "IS NULL" on an AUTO_INCREMENT column follow the SQL standard.
                await cursor.execute("SET SQL_AUTO_IS_NULL = 0")
            if self.isolation_level:
                level = self.isolation_level.upper()
                await cursor.execute("SET SESSION TRANSACTION ISOLATION LEVEL %s" % level)

    async def create_cursor(self, name=None):
        cursor = StreamingCursor if name else AsyncCursor
        return ErrorMappingCursor(cursor(self, self.connection))

    def _discard_if_interrupted(self, raw: asyncmy.Connection) -> DiscardIfInterrupted:
        """Close ``raw`` when an operation on it ends in anything but an error the server
        reported: cancelled mid-read, it may hold half a result, and reusing it would hand
        that result to the next query. Sync on purpose: a cancelled task must not await a
        goodbye to the server."""
        return DiscardIfInterrupted(self, raw)

    async def _commit(self):
        await self.settle_stream()
        if self.connection is not None:
            with self._discard_if_interrupted(self.connection):
                await super()._commit()

    async def _rollback(self):
        await self.settle_stream()
        if self.connection is not None:
            with self._discard_if_interrupted(self.connection):
                await super()._rollback()

    async def _set_autocommit(self, autocommit):
        await self.settle_stream()
        raw = self.connection
        if autocommit and not raw.server_status & SERVER_STATUS.SERVER_STATUS_IN_TRANS:
            # Back to autocommit after a COMMIT or ROLLBACK: no transaction is open, so the
            # switch can wait for the next statement (before_statement). A transaction that
            # comes first needs autocommit off, as it still is: one round trip fewer per
            # transaction.
            return
        with self.wrap_database_errors, self._discard_if_interrupted(raw):
            await raw.autocommit(autocommit)

    async def is_usable(self):
        if self.connection is None:
            return await self.usable_with_a_lease()
        await self.settle_stream()
        try:
            with self._discard_if_interrupted(self.connection):
                await self.connection.ping(reconnect=False)
        except Database.Error:
            return False
        return True

    # The pool's operations on a connection (see teapot.pool).

    def raw_is_clean(self, raw):
        if _streaming(raw):
            return False
        in_transaction = raw.server_status & SERVER_STATUS.SERVER_STATUS_IN_TRANS
        if in_transaction:
            return False
        # Autocommit still off after a transaction is clean where the configured mode is
        # autocommit: the next statement switches it back on (before_statement).
        return raw.get_autocommit() == self.settings_dict["AUTOCOMMIT"] or self.settings_dict["AUTOCOMMIT"]

    def raw_is_closed(self, raw):
        # The server closing the socket (KILL, restart, wait_timeout) closes the transport.
        transport = raw._transport
        return not raw.connected or raw._stream_broken or transport is None or transport.is_closing()

    async def raw_ping(self, raw):
        await raw.ping(reconnect=False)

    async def raw_reset(self, raw):
        if _streaming(raw):
            # A task ended in the middle of iterator(): reading the rest would cost the server
            # the whole result. Closing the socket alone leaves it writing for net_write_timeout.
            session = self.raw_session(raw)
            raw.close()
            await self.raw_end_session(session)
            raise Database.InterfaceError("an unread streamed result was on the connection: its session was ended")
        await raw.rollback()
        await raw.autocommit(self.settings_dict["AUTOCOMMIT"])

    async def raw_close(self, raw):
        try:
            await raw.ensure_closed()  # says goodbye (COM_QUIT) to the server
        finally:
            raw.close()

    def raw_terminate(self, raw):
        raw.close()

    def raw_session(self, raw):
        return raw.server_thread_id[0]

    async def raw_end_session(self, session):
        # The server goes on with a statement whose client has gone until it ends, holding
        # its transaction's locks: KILL ends the session and rolls back.
        await self._kill(session, query_only=False)

    async def _kill(self, session, query_only):
        """KILL (the session) or KILL QUERY (its statement) from a connection of its own,
        outside the pool: the pool may have none to spare."""
        conn = await asyncmy.connect(**self.get_connection_params())
        try:
            async with conn.cursor() as cursor:
                await cursor.execute("KILL %s%d" % ("QUERY " if query_only else "", int(session)))
        except Database.OperationalError as exc:
            if exc.args[0] != ER_NO_SUCH_THREAD:  # it had ended already
                raise
        finally:
            await self.raw_close(conn)  # a goodbye, so the server ends this session at once
