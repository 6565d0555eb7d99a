"""A backend's ``display_name`` is Django's for the database (no driver name), so messages
that name the database read as Django's: the minimum version check, the model checks."""

from unittest import mock

import pytest

from teapot.db import connection
from teapot.db.utils import NotSupportedError

pytestmark = pytest.mark.usefixtures("tables")


async def test_display_name_is_the_database_name():
    await connection.ensure_connection()
    expected = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(connection.vendor)
    if expected is None:  # MySQL or MariaDB, once connected
        expected = "MariaDB" if connection.mysql_is_mariadb else "MySQL"
    assert connection.display_name == expected


async def test_minimum_version_message_names_the_database():
    await connection.ensure_connection()
    minimum = connection.features.minimum_database_version
    if minimum is None:
        pytest.skip("no minimum version")
    older = (minimum[0] - 1,) + tuple(minimum[1:])
    with mock.patch.object(connection, "get_database_version", return_value=older):
        with pytest.raises(NotSupportedError) as raised:
            connection.check_database_version_supported()
    shown = ".".join(map(str, minimum))
    assert str(raised.value).startswith(f"{connection.display_name} {shown} or later is required (found ")
    assert "(aiosqlite)" not in str(raised.value) and "(asyncpg)" not in str(raised.value)
