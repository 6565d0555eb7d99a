"""Overrides of django.db.backends.postgresql.base: the driver module is asyncpg's DB-API
face (the psycopg imports, version checks and cursor classes are dropped, see rules.toml);
the server version is a fact read during the async connect."""

from teapot.backends.asyncpg import dbapi as Database

from tools.codemod.overrides import override


@override("DatabaseWrapper.pg_version", upstream="3ad3b7347e11")
@property
def pg_version(self):
    """The server version as an integer (150004 for 15.4), read when connecting."""
    return self.server_fact("pg_version")
