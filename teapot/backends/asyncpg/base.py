"""PostgreSQL backend on asyncpg.

It subclasses the generated PostgreSQL backend and replaces only what touches the driver:
connecting, cursors (``cursors``), transactions (``connection``) and server facts, and gives
the pool its operations on a connection. SQL generation is upstream's.

asyncpg has no DB-API cursor and no autocommit switch, so ``connection.Connection`` keeps
psycopg's behaviour. Statements are prepared (and cached by asyncpg, unless
OPTIONS["statement_cache_size"] is 0, as PgBouncer's transaction mode needs), so the
parameters can be adapted to the types the server inferred.
"""

from __future__ import annotations

import itertools
import os
import zoneinfo

import asyncpg

from teapot.conf import settings
from teapot.core.exceptions import ImproperlyConfigured
from teapot.db.backends import utils as backend_utils
from teapot.db.backends.postgresql import base as postgresql_base
from teapot.db.backends.postgresql.psycopg_any import IsolationLevel

from . import codecs, dbapi
from .connection import Connection
from .cursors import AsyncCursor, ServerSideCursor
from .errors import driver
from .options import NOT_CONNECT_ARGUMENTS, libpq_to_asyncpg

_cursor_numbers = itertools.count(1)



class DatabaseWrapper(postgresql_base.DatabaseWrapper):
    display_name = "PostgreSQL"  # Django's name: messages (version checks, model checks) read the same
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
        for key in NOT_CONNECT_ARGUMENTS:
            options.pop(key, None)
        libpq_to_asyncpg(options)
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
                "Use one of the psycopg.IsolationLevel values. "
                "teapot.backends.asyncpg.psycopg_any.IsolationLevel has them."
            ) from None

    async def get_new_connection(self, conn_params):
        options = self.settings_dict["OPTIONS"]
        configured = "isolation_level" in options
        begin_sql = f"BEGIN ISOLATION LEVEL {self.isolation_level.sql}" if configured else "BEGIN"
        # The session's zone: Django's ``timezone`` is None without USE_TZ, but naive values
        # are then wall-clock times in TIME_ZONE, the session's zone.
        zone = self.timezone or zoneinfo.ZoneInfo(self.timezone_name)
        timestamps = codecs.TimestampCoercer(zone, settings.USE_TZ)
        raw = await driver(asyncpg.connect(**conn_params))
        try:
            await codecs.register(raw, timestamps)
            version = raw.get_server_version()
            # asyncpg reads 15.4 as major=15, micro=4; Django wants 150004.
            minor = version.micro if version.major >= 10 else version.minor * 100 + version.micro
            self.server_facts["pg_version"] = version.major * 10000 + minor
        except BaseException:
            raw.terminate()
            raise
        connection = Connection(
            raw,
            begin_sql,
            timestamps,
            isolation_level=self.isolation_level if configured else None,
            cursor_factory=options.get("cursor_factory", AsyncCursor),
        )
        connection.zone_followed = (self.timezone_name, settings.USE_TZ)  # set while connecting
        return connection

    # init_connection_state() is upstream's: the version check, then _configure_connection():
    # the session's time zone (already set while connecting, so no round trip) and role.

    @property
    def pg_version(self):
        """The server version as an integer (150004 for 15.4), read when connecting; set it to
        stand for another server's (upstream's tests do)."""
        return self.server_fact("pg_version")

    @pg_version.setter
    def pg_version(self, value):
        self.server_facts["pg_version"] = value

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
        handler sets the session's): the codecs' zone, and the session's. The zone's name and
        USE_TZ are compared first: the rest runs only after they changed."""
        followed = (self.timezone_name, settings.USE_TZ)
        if connection.zone_followed == followed:
            return
        timestamps = connection.timestamps
        zone = self.timezone or zoneinfo.ZoneInfo(self.timezone_name)
        if timestamps.tz != zone or timestamps.use_tz != settings.USE_TZ:
            timestamps.tz, timestamps.use_tz = zone, settings.USE_TZ
        name = self.timezone_name
        if name and connection.raw.get_settings().TimeZone != name:
            if connection.failed:
                return  # an aborted transaction refuses it: the next statement tries again
            await driver(connection.raw.fetchval("SELECT set_config('TimeZone', $1, false)", name))
        connection.zone_followed = followed

    async def chunked_cursor(self):
        # Names unique in the process (and across processes): upstream numbers them per
        # wrapper and task id, and both repeat with a wrapper per task; behind PgBouncer a
        # WITH HOLD cursor may outlive its client on a server session others share.
        return await self._cursor(name=f"_django_curs_{os.getpid()}_{next(_cursor_numbers)}")

    async def create_cursor(self, name=None):
        await self._follow_time_zone(self.connection)
        if name:
            return ServerSideCursor(self, self.connection, name)
        return self.connection.cursor_factory(self, self.connection)

    async def _set_autocommit(self, autocommit):
        connection = self.connection
        if autocommit and connection.in_transaction:
            await connection.commit()
        connection.autocommit = autocommit

    async def is_usable(self):
        if self.connection is None:
            return await self.usable_with_a_lease()
        if self.connection.raw.is_closed():
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
        await driver(raw.raw.execute("SELECT 1"))

    async def raw_reset(self, raw):
        raw.in_transaction = raw.failed = False
        if raw.raw.is_in_transaction():
            await driver(raw.raw.execute("ROLLBACK"))
        if raw.open_cursors:  # WITH HOLD cursors outlive transactions
            await driver(raw.raw.execute("CLOSE ALL"))
            raw.open_cursors.clear()
        raw.autocommit = self.settings_dict["AUTOCOMMIT"]

    async def raw_close(self, raw):
        await driver(raw.raw.close())

    def raw_terminate(self, raw):
        raw.raw.terminate()

    def raw_session(self, raw):
        return raw.pid

    async def raw_end_session(self, session):
        # A closed socket is noticed by the server only when it next writes to it: a
        # cancelled pg_sleep(60) would hold its transaction for a minute.
        params = self.get_connection_params()
        params["statement_cache_size"] = 0
        conn = await driver(asyncpg.connect(**params))
        try:
            await driver(conn.execute(f"SELECT pg_terminate_backend({int(session)})"))
        finally:
            await conn.close()

    def make_debug_cursor(self, cursor):
        return backend_utils.CursorDebugWrapper(cursor, self)
