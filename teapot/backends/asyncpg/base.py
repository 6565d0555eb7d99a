"""PostgreSQL backend on asyncpg.

It subclasses the generated PostgreSQL backend and replaces only what touches the driver:
connecting, cursors, transactions and server facts. SQL generation is upstream's.

asyncpg has no DB-API cursor and no autocommit switch, so ``Connection`` keeps psycopg's
behaviour: with autocommit off, the first statement opens a transaction (``BEGIN`` with the
configured isolation level), and ``commit()``/``rollback()`` end it. Statements are prepared
(and cached by asyncpg, unless OPTIONS["statement_cache_size"] is 0, as PgBouncer's
transaction mode needs), so the parameters can be adapted to the types the server inferred.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import zoneinfo

import asyncpg

from teapot.backends import CURSOR_OUTLIVED_ITS_LEASE
from teapot.conf import settings
from teapot.core.exceptions import ImproperlyConfigured
from teapot.db.backends import utils as backend_utils
from teapot.db.backends.base.base import BaseDatabaseWrapper
from teapot.db.backends.postgresql import base as postgresql_base
from teapot.db.backends.postgresql.psycopg_any import IsolationLevel

from . import codecs, dbapi
from .literals import quote, quote_as_psycopg
from .placeholders import MAX_PARAMETERS, bind, translate

logger = logging.getLogger("teapot.backends.asyncpg")

# OPTIONS that are teapot's or upstream's, not asyncpg.connect() arguments.
_NOT_CONNECT_ARGUMENTS = ("isolation_level", "assume_role", "server_side_binding", "prepare_threshold", "pool")


# libpq's connection option names (what a psycopg-based Django project has in OPTIONS or a
# URL's query) that asyncpg.connect() takes under another name, or not at all.
_LIBPQ_RENAMED = {"sslmode": "ssl", "connect_timeout": "timeout"}
_LIBPQ_UNSUPPORTED = ("sslcert", "sslkey", "sslrootcert", "sslcrl", "sslpassword", "service", "options")


def _libpq_to_asyncpg(options: dict) -> None:
    for libpq, name in _LIBPQ_RENAMED.items():
        if libpq in options:
            value = options.pop(libpq)
            options.setdefault(name, float(value) if name == "timeout" else value)
    if "application_name" in options:
        settings = {"application_name": options.pop("application_name"), **options.get("server_settings", {})}
        options["server_settings"] = settings
    unsupported = sorted(set(_LIBPQ_UNSUPPORTED) & set(options))
    if unsupported:
        raise ImproperlyConfigured(
            f"OPTIONS {', '.join(unsupported)}: libpq options the asyncpg backend cannot pass on. "
            "Use OPTIONS['ssl'] with an ssl.SSLContext for certificates, and OPTIONS['server_settings'] "
            "for session settings."
        )


class Connection:
    """An asyncpg connection with psycopg's transaction behaviour."""

    __slots__ = (
        "raw", "pid", "autocommit", "in_transaction", "failed", "begin_sql", "_coercers", "timestamps", "open_cursors"
    )

    def __init__(self, raw: asyncpg.Connection, begin_sql: str, timestamps: codecs.TimestampCoercer):
        self.raw = raw
        self.pid = raw.get_server_pid()  # the session's id, for ending it from elsewhere
        self.autocommit = True
        self.in_transaction = False
        # The transaction is aborted: a statement failed in it, and no rollback ran since (the
        # server refuses every other statement then; psycopg's TransactionStatus.INERROR).
        self.failed = False
        self.begin_sql = begin_sql
        self.timestamps = timestamps
        self._coercers: dict[str, tuple] = {}
        self.open_cursors: set[str] = set()  # server-side cursors declared and not closed

    async def begin_if_needed(self):
        if not self.autocommit and not self.in_transaction:
            await self._control(self.begin_sql)
            self.in_transaction = True

    async def commit(self):
        if self.in_transaction:
            self.in_transaction = False
            await self._control("COMMIT")

    async def rollback(self):
        if self.in_transaction:
            self.in_transaction = False
            await self._control("ROLLBACK")

    async def _control(self, sql):
        try:
            await _driver(self.raw.execute(sql))
        except asyncio.CancelledError:
            # Whether the server ran it is unknown: this connection must not be reused.
            self.raw.terminate()
            raise
        self.failed = False

    def forget_statements(self):
        self._coercers.clear()

    def is_clean(self) -> bool:
        raw = self.raw
        return not (raw.is_closed() or raw.is_in_transaction() or self.in_transaction or self.open_cursors)

    def coercers_for(self, text: str, statement) -> tuple:
        found = self._coercers.get(text)
        if found is None:
            if len(self._coercers) > 4096:
                self._coercers.clear()
            found = self._coercers[text] = codecs.coercers(statement.get_parameters(), self.timestamps)
        return found


_cursor_numbers = itertools.count(1)

_STALE_STATEMENT = (asyncpg.exceptions.InvalidCachedStatementError, asyncpg.exceptions.OutdatedSchemaCacheError)


# What asyncpg raises, all translated to DB-API exceptions. InternalClientError: asyncpg's
# protocol state went wrong (seen when a server shutdown interrupts a statement).
_DRIVER_ERRORS = (
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.DataError,
    asyncpg.exceptions.InternalClientError,
    OSError,
)


async def _driver(awaitable):
    """Await a driver call, raising DB-API exceptions for asyncpg's."""
    try:
        return await awaitable
    except _DRIVER_ERRORS as exc:
        raise dbapi.translate(exc) from exc


class Description(tuple):
    """A DB-API column description: (name, type_code, display_size, internal_size, precision,
    scale, null_ok), with ``name`` and ``type_code`` attributes as psycopg's has."""

    name = property(lambda self: self[0])
    type_code = property(lambda self: self[1])
    display_size = property(lambda self: self[2])
    internal_size = property(lambda self: self[3])
    precision = property(lambda self: self[4])
    scale = property(lambda self: self[5])
    null_ok = property(lambda self: self[6])


class AsyncCursor:
    """A DB-API-like async cursor over one connection: rows are fetched by execute()."""

    arraysize = 100

    def __init__(self, wrapper, connection: Connection):
        self.wrapper = wrapper
        self.connection = connection
        self.rowcount = -1
        self.description = None
        self._query = None  # (text sent, translation, arguments) of the last execute()
        self._rows: list = []
        self._pos = 0

    async def execute(self, sql, params=None):
        translation, args = bind(sql, params)
        if translation is None:
            text, several = sql, translate(sql, placeholders=False).several
        elif len(args) > MAX_PARAMETERS:
            # Past the protocol's limit (a long __in list): bind on the client, as psycopg does.
            text, args, several = translation.join([quote(a) for a in args]), [], translation.several
        else:
            self._query = (None, translation, args)
            (text, args), several = translation.typed_bind(args), translation.several
            await self._run(text, args, several)
            return self
        self._query = (text, None, None)
        await self._run(text, args, several)
        return self

    @property
    def query(self):
        """The last statement as bytes, its parameters written in as literals: what psycopg's
        client-side cursor sent (Django's last_executed_query, captured queries). Built only
        when read."""
        if self._query is None:
            return None
        text, translation, args = self._query
        if translation is not None:
            try:
                text = translation.join([quote_as_psycopg(a) for a in args])
            except Exception:
                text = translation.typed_bind(args)[0]  # a value without a literal: as sent
        return text.encode()

    async def executemany(self, sql, param_list):
        rowcount = 0
        for params in param_list:
            await self.execute(sql, params)
            rowcount += max(self.rowcount, 0)
        self.rowcount = rowcount
        return self

    def _owned(self) -> bool:
        """Whether this cursor's connection is still its wrapper's: a cursor kept past its
        task's end (an abandoned async generator) must never touch the connection again,
        which the pool may have handed to another task."""
        return self.wrapper.connection is self.connection

    async def _run(self, text, args, several, cache=True):
        conn = self.connection
        if not self._owned():
            raise dbapi.InterfaceError(CURSOR_OUTLIVED_ITS_LEASE)
        try:
            await conn.begin_if_needed()
            try:
                status, rows, attributes = await self._send(conn, text, args, several, cache)
            except _STALE_STATEMENT as exc:
                # The schema changed under a cached statement (ALTER ... TYPE elsewhere).
                # Forget every cached statement; outside a transaction run it again, as
                # asyncpg's own fetch() does; inside one, the error stands (the transaction
                # is aborted) and the next transaction prepares afresh.
                await conn.raw.reload_schema_state()
                conn.forget_statements()
                if conn.raw.is_in_transaction() or conn.in_transaction:
                    raise
                logger.debug("Prepared again after a schema change: %s", exc)
                status, rows, attributes = await self._send(conn, text, args, several, cache)
        except _DRIVER_ERRORS as exc:
            if conn.raw.is_closed() or isinstance(exc, asyncpg.exceptions.InternalClientError):
                # The server ended the session (or the network did), or the driver lost
                # track of the protocol: the next query outside a transaction takes another
                # connection.
                self.wrapper.forget_connection(conn, interrupted=False)
            elif isinstance(exc, asyncpg.PostgresError) and conn.raw.is_in_transaction():
                conn.failed = True
            raise dbapi.translate(exc) from exc
        except asyncio.CancelledError:
            # The server may still be working on the statement: never reuse this connection.
            self.wrapper.forget_connection(conn)
            raise
        conn.failed = False  # in an aborted transaction only a rollback (to a savepoint) succeeds
        self._rows = rows
        self._pos = 0
        self.rowcount = _rowcount(status, rows)
        self.description = (
            [Description((a.name, a.type.oid, None, None, None, None, None)) for a in attributes] if attributes else None
        )

    @staticmethod
    async def _send(conn, text, args, several, cache):
        if several and not args:
            # Several statements: only the simple query protocol takes them (no rows back).
            return await conn.raw.execute(text), [], None
        # asyncpg's statement cache (its private _prepare: the public prepare() never
        # caches, and fetch() hides the parameter types and the command status).
        if cache:
            statement = await conn.raw._prepare(text, use_cache=True)
        else:
            statement = await conn.raw._prepare(text, name="", use_cache=False)
        if args:
            args = codecs.coerce(args, conn.coercers_for(text, statement))
        rows = await statement.fetch(*args)
        return statement.get_statusmsg(), rows, statement.get_attributes()

    async def fetchone(self):
        if self._pos < len(self._rows):
            row = self._rows[self._pos]
            self._pos += 1
            return tuple(row)
        return None

    async def fetchmany(self, size=None):
        size = size or self.arraysize
        rows = self._rows[self._pos : self._pos + size]
        self._pos += len(rows)
        return [tuple(r) for r in rows]

    async def fetchall(self):
        rows = self._rows[self._pos :]
        self._pos = len(self._rows)
        return [tuple(r) for r in rows]

    async def close(self):
        self._rows = []

    def __aiter__(self):
        return self

    async def __anext__(self):
        row = await self.fetchone()
        if row is None:
            raise StopAsyncIteration
        return row


class ServerSideCursor(AsyncCursor):
    """Django's chunked cursor: a server-side cursor read ``chunk_size`` rows at a time, so
    iterating a large queryset never holds it all. Outside a transaction it is declared WITH
    HOLD, as upstream does, so it outlives the implicit commit."""

    def __init__(self, wrapper, connection: Connection, name: str):
        super().__init__(wrapper, connection)
        self.name = wrapper.ops.quote_name(name)
        self._declared = False
        self._hold = False

    async def execute(self, sql, params=None):
        self._hold = self.connection.autocommit
        hold = " WITH HOLD" if self._hold else ""
        declare = f"DECLARE {self.name} NO SCROLL CURSOR{hold} FOR "
        # The name is unique per cursor: cache neither the DECLARE nor the FETCHes.
        translation, args = bind(sql, params)
        if translation is None:
            text = sql
        else:
            text, args = translation.typed_bind(args)
        await self._run(declare + text, args, several=False, cache=False)
        self._declared = True
        self.connection.open_cursors.add(self.name)
        return self

    async def _fetch(self, count: str) -> list:
        if not self._declared:
            return []
        await self._run(f"FETCH FORWARD {count} FROM {self.name}", [], several=False, cache=False)
        return [tuple(r) for r in self._rows]

    async def fetchone(self):
        rows = await self._fetch("1")
        return rows[0] if rows else None

    async def fetchmany(self, size=None):
        return await self._fetch(str(int(size or self.arraysize)))

    async def fetchall(self):
        return await self._fetch("ALL")

    async def close(self):
        connection = self.connection
        if not self._declared or not self._owned() or connection.raw.is_closed():
            # Not owned: kept past its task's end, the pool closes it (open_cursors).
            return
        self._declared = False
        if connection.failed:
            # CLOSE would only fail again, hiding the error that aborted the transaction (a
            # FETCH's, say); the rollback closes the cursor, unless it is WITH HOLD: then the
            # pool closes it when the connection comes back (open_cursors).
            if not self._hold:
                connection.open_cursors.discard(self.name)
            return
        try:
            await self._run(f"CLOSE {self.name}", [], several=False, cache=False)
        except dbapi.Error as exc:
            if getattr(exc, "sqlstate", None) != _INVALID_CURSOR_NAME or connection.failed:
                raise  # in a transaction the failed CLOSE aborted it: that must be seen
            # Gone already: behind PgBouncer in transaction mode a WITH HOLD cursor stays on
            # the server connection it was declared on, and this statement ran on another.
        connection.open_cursors.discard(self.name)


_INVALID_CURSOR_NAME = "34000"


def _rowcount(status: str, rows) -> int:
    """The row count from the command status (``UPDATE 3``, ``INSERT 0 5``, ``SELECT 2``)."""
    tail = status.rpartition(" ")[2] if status else ""
    if tail.isdigit():
        return int(tail)
    return len(rows) if rows else -1


class DatabaseWrapper(postgresql_base.DatabaseWrapper):
    display_name = "PostgreSQL (asyncpg)"
    Database = dbapi
    # The pool's reset closes every server-side cursor (CLOSE ALL): a stream left early
    # outside a transaction gives its connection back at once (abandon_stream).
    reset_stops_streams = True

    # No psycopg pool: teapot's pooling is its own.
    pool = None

    def close_pool(self):
        pass

    def get_connection_params(self):
        self.isolation_level = self._isolation_level()
        settings_dict = self.settings_dict
        options = dict(settings_dict["OPTIONS"])
        name = settings_dict["NAME"]
        if name == "" and not options.get("service"):
            raise ImproperlyConfigured(
                "settings.DATABASES is improperly configured. Please supply the NAME or OPTIONS['service'] value."
            )
        if len(name or "") > self.ops.max_name_length():
            raise ImproperlyConfigured(
                "The database name '%s' (%d characters) is longer than PostgreSQL's limit of %d characters. "
                "Supply a shorter NAME in settings.DATABASES." % (name, len(name), self.ops.max_name_length())
            )
        for key in _NOT_CONNECT_ARGUMENTS:
            options.pop(key, None)
        _libpq_to_asyncpg(options)
        params = {
            "database": name if name is not None else "postgres",
            "statement_cache_size": int(options.pop("statement_cache_size", 100)),
            **options,
        }
        # The session's time zone is set with the connection, with no extra round trip.
        params["server_settings"] = {"TimeZone": self.timezone_name, **options.get("server_settings", {})}
        for key, setting in (("user", "USER"), ("password", "PASSWORD"), ("host", "HOST"), ("port", "PORT")):
            if settings_dict[setting]:
                params[key] = settings_dict[setting]
        return params

    def _isolation_level(self) -> IsolationLevel:
        value = self.settings_dict["OPTIONS"].get("isolation_level")
        if value is None:
            return IsolationLevel.READ_COMMITTED
        try:
            return IsolationLevel(value)
        except ValueError:
            raise ImproperlyConfigured(
                f"Invalid transaction isolation level {value} specified. "
                "Use one of the teapot.backends.asyncpg.adapters.IsolationLevel values."
            ) from None

    async def get_new_connection(self, conn_params):
        configured = "isolation_level" in self.settings_dict["OPTIONS"]
        begin_sql = f"BEGIN ISOLATION LEVEL {self.isolation_level.sql}" if configured else "BEGIN"
        # The session's zone: Django's ``timezone`` is None without USE_TZ, but naive values
        # are then wall-clock times in TIME_ZONE, the session's zone.
        zone = self.timezone or zoneinfo.ZoneInfo(self.timezone_name)
        timestamps = codecs.TimestampCoercer(zone, settings.USE_TZ)
        raw = await _driver(asyncpg.connect(**conn_params))
        try:
            await codecs.register(raw, timestamps)
            version = raw.get_server_version()
            # asyncpg reads 15.4 as major=15, micro=4; Django wants 150004.
            minor = version.micro if version.major >= 10 else version.minor * 100 + version.micro
            self.server_facts["pg_version"] = version.major * 10000 + minor
            if role := self.settings_dict["OPTIONS"].get("assume_role"):
                await _driver(raw.execute(self.ops.compose_sql("SET ROLE %s", [role])))
        except BaseException:
            raw.terminate()
            raise
        return Connection(raw, begin_sql, timestamps)

    async def init_connection_state(self):
        # The time zone and role were set while connecting.
        await BaseDatabaseWrapper.init_connection_state(self)

    async def ensure_timezone(self):
        if self.connection is None:
            return False
        current = self.connection.raw.get_settings().TimeZone
        if self.timezone_name and current != self.timezone_name:
            async with self.cursor() as cursor:
                await cursor.execute(self.ops.set_time_zone_sql(), [self.timezone_name])
            return True
        return False

    async def _follow_time_zone(self, connection):
        """Bring the connection to the current TIME_ZONE/USE_TZ, which settings overrides change
        under open connections (Django's cursors read the zone anew; its setting_changed
        handler sets the session's): the codecs' zone, and the session's."""
        timestamps = connection.timestamps
        zone = self.timezone or zoneinfo.ZoneInfo(self.timezone_name)
        if timestamps.tz != zone or timestamps.use_tz != settings.USE_TZ:
            timestamps.tz, timestamps.use_tz = zone, settings.USE_TZ
        name = self.timezone_name
        if name and not connection.failed and connection.raw.get_settings().TimeZone != name:
            await _driver(connection.raw.fetchval("SELECT set_config('TimeZone', $1, false)", name))

    async def chunked_cursor(self):
        # Names unique in the process (and across processes): upstream numbers them per
        # wrapper and task id, and both repeat with a wrapper per task; behind PgBouncer a
        # WITH HOLD cursor may outlive its client on a server session others share.
        return await self._cursor(name=f"_django_curs_{os.getpid()}_{next(_cursor_numbers)}")

    async def create_cursor(self, name=None):
        await self._follow_time_zone(self.connection)
        if name:
            return ServerSideCursor(self, self.connection, name)
        return AsyncCursor(self, self.connection)

    async def _set_autocommit(self, autocommit):
        connection = self.connection
        if autocommit and connection.in_transaction:
            await connection.commit()
        connection.autocommit = autocommit

    async def is_usable(self):
        if self.connection is None or self.connection.raw.is_closed():
            return False
        try:
            await self.connection.raw.execute("SELECT 1")
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
            return False
        return True

    # The pool's operations on a connection (see teapot.pool).

    def raw_is_clean(self, raw):
        return raw.is_clean() and raw.autocommit == self.settings_dict["AUTOCOMMIT"]

    def raw_is_closed(self, raw):
        return raw.raw.is_closed()

    async def raw_ping(self, raw):
        await _driver(raw.raw.execute("SELECT 1"))

    async def raw_reset(self, raw):
        raw.in_transaction = raw.failed = False
        if raw.raw.is_in_transaction():
            await _driver(raw.raw.execute("ROLLBACK"))
        if raw.open_cursors:  # WITH HOLD cursors outlive transactions
            await _driver(raw.raw.execute("CLOSE ALL"))
            raw.open_cursors.clear()
        raw.autocommit = self.settings_dict["AUTOCOMMIT"]

    async def raw_close(self, raw):
        await _driver(raw.raw.close())

    def raw_terminate(self, raw):
        raw.raw.terminate()

    def raw_session(self, raw):
        return raw.pid

    async def raw_end_session(self, session):
        # A closed socket is noticed by the server only when it next writes to it: a
        # cancelled pg_sleep(60) would hold its transaction for a minute.
        params = self.get_connection_params()
        params["statement_cache_size"] = 0
        conn = await _driver(asyncpg.connect(**params))
        try:
            await _driver(conn.execute(f"SELECT pg_terminate_backend({int(session)})"))
        finally:
            await conn.close()

    def make_debug_cursor(self, cursor):
        return backend_utils.CursorDebugWrapper(cursor, self)
