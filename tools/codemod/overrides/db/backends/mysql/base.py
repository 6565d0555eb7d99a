"""Overrides of django.db.backends.mysql.base: the driver module is asyncmy's DB-API face
(the MySQLdb import and version check are dropped, see rules.toml); the server's variables
are facts read during the async connect, so SQL compilation never queries."""

from asyncmy.constants import CLIENT, FIELD_TYPE
from asyncmy.converters import conversions

from teapot.backends.asyncmy import dbapi as Database

from tools.codemod.overrides import override


@override("DatabaseWrapper.mysql_server_data", upstream="51da0ce2777f")
@property
def mysql_server_data(self):
    """VERSION(), @@sql_mode, @@default_storage_engine, @@sql_auto_is_null,
    @@lower_case_table_names and whether time-zone tables are loaded, read when connecting."""
    return self.server_fact("mysql_server_data")
