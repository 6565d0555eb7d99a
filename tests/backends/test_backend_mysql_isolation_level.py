"""MySQL/MariaDB: a task's connection wrapper tells its configured isolation level before its
first lease (Django's wrapper has read it by then; a task's new teapot wrapper raised
AttributeError)."""

import pytest

from teapot.core.exceptions import ImproperlyConfigured
from teapot.db import connection

pytestmark = [pytest.mark.usefixtures("tables")]


@pytest.fixture(autouse=True)
def mysql_only():
    # tests/backends/conftest.py leaves this file out on the other databases, unless it is
    # named on the command line.
    if connection.vendor != "mysql":
        pytest.skip("MySQL/MariaDB only")


async def test_isolation_level_is_known_before_connecting():
    fresh = connection.copy()
    assert fresh.connection is None
    expected = connection.settings_dict["OPTIONS"].get("isolation_level", "read committed")
    assert fresh.isolation_level == (expected.lower() if expected else expected)


async def test_configured_isolation_level_is_validated_when_read():
    fresh = connection.copy()
    fresh.settings_dict = {**fresh.settings_dict, "OPTIONS": {**fresh.settings_dict["OPTIONS"], "isolation_level": "Serializable"}}
    assert fresh.isolation_level == "serializable"
    wrong = connection.copy()
    wrong.settings_dict = {**wrong.settings_dict, "OPTIONS": {**wrong.settings_dict["OPTIONS"], "isolation_level": "nonsense"}}
    with pytest.raises(ImproperlyConfigured, match="Invalid transaction isolation level 'nonsense'"):
        wrong.isolation_level


async def test_the_level_is_set_on_the_connection():
    async with connection.cursor() as cursor:
        variable = "tx_isolation" if connection.mysql_is_mariadb else "transaction_isolation"
        await cursor.execute(f"SELECT @@session.{variable}")
        (level,) = await cursor.fetchone()
    assert level.replace("-", " ").lower() == connection.isolation_level
