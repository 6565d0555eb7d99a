"""Overrides of django.db.backends.postgresql.base: the driver module is asyncpg's DB-API
face (the psycopg imports, version checks and cursor classes are dropped, see rules.toml;
``psycopg_version()`` reads the driver module's version, asyncpg's); ``Cursor`` is the asyncpg
backend's plain cursor, the class to subclass for OPTIONS["cursor_factory"]; the server
version is a fact read during the async connect; the connection hooks
(``_configure_timezone``, ``_configure_role``, which ``_configure_connection`` calls) work on
the asyncpg backend's connection (teapot.backends.asyncpg.connection)."""

from teapot.backends.asyncpg import dbapi as Database
from teapot.backends.asyncpg.cursors import AsyncCursor as Cursor  # noqa: F401
from teapot.backends.asyncpg.errors import driver

from tools.codemod.overrides import override


@override("DatabaseWrapper.pg_version", upstream="3ad3b7347e11")
@property
def pg_version(self):
    """The server version as an integer (150004 for 15.4), read when connecting."""
    return self.server_fact("pg_version")


@override("DatabaseWrapper._configure_timezone", upstream="c2fe35f93dbe")
async def _configure_timezone(self, connection):
    """Set the session's time zone to TIME_ZONE's unless it is that already (asyncpg sets it
    while connecting): True when it was set."""
    timezone_name = self.timezone_name
    if timezone_name and connection.raw.get_settings().TimeZone != timezone_name:
        await driver(connection.raw.fetchval("SELECT set_config('TimeZone', $1, false)", timezone_name))
        return True
    return False


@override("DatabaseWrapper._configure_role", upstream="28b9d3852fa9")
async def _configure_role(self, connection):
    """SET ROLE to OPTIONS["assume_role"], if given: True when it was set."""
    if new_role := self.settings_dict["OPTIONS"].get("assume_role"):
        await driver(connection.raw.execute(self.ops.compose_sql("SET ROLE %s", [new_role])))
        return True
    return False
