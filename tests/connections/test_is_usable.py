"""``connection.is_usable()`` under leases: a task's wrapper holds no connection between units
of work, so the question is whether a connection can be leased and answers. The check leases
one for itself only; inside a unit of work it checks the connection already held."""

import socket

import pytest

from teapot.db import connection, transaction
from tests.database.harness import DATABASE
from tests.database.testapp.models import Author

pytestmark = pytest.mark.usefixtures("healthy_after")


async def test_usable_without_a_lease_and_leaves_none_behind():
    await Author.objects.acreate(name="Ann")
    assert connection.connection is None  # the statement's lease is over
    assert await connection.is_usable() is True
    assert connection.connection is None and connection.connection_pool.in_use == 0


async def test_usable_inside_an_atomic_block_keeps_the_block_connection():
    async with transaction.atomic():
        await Author.objects.acreate(name="Ann")
        held = connection.connection
        assert await connection.is_usable() is True
        assert connection.connection is held
        await Author.objects.acreate(name="Bob")
    assert await Author.objects.acount() == 2


async def test_usable_after_a_failed_statement():
    with pytest.raises(Exception):
        async with connection.cursor() as cursor:
            await cursor.execute("SELECT * FROM no_such_table_here")
    assert connection.connection is None
    assert await connection.is_usable() is True


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_not_usable_when_no_connection_can_be_leased(tmp_path):
    unreachable = connection.copy()
    if DATABASE == "sqlite":
        unreachable.settings_dict["NAME"] = str(tmp_path / "missing-folder" / "db.sqlite3")
    else:
        unreachable.settings_dict["HOST"] = "127.0.0.1"
        unreachable.settings_dict["PORT"] = _closed_port()
    try:
        assert await unreachable.is_usable() is False
        assert unreachable.connection is None
    finally:
        await unreachable.connection_pool.close()
