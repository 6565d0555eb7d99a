"""The raw cursor's DB-API surface as Django's backends give it: ``closed``, the error a closed
cursor raises (each backend's ``features.closed_cursor_error_class``, also teapot's lease
error), and ``callproc`` on the databases with stored routines."""

import pytest

from teapot.db import InterfaceError, connection, transaction
from tests.database.harness import DATABASE

pytestmark = pytest.mark.usefixtures("tables")


async def test_closed_tells_whether_the_cursor_was_closed():
    async with connection.cursor() as cursor:
        assert cursor.closed is False
        await cursor.execute("SELECT 1")
        assert cursor.closed is False
    assert cursor.closed is True


async def test_a_closed_cursor_raises_the_backends_closed_cursor_error():
    async with connection.cursor() as cursor:
        await cursor.execute("SELECT 1")
    expected = connection.features.closed_cursor_error_class
    with pytest.raises(expected) as raised:
        await cursor.execute("SELECT 2")
    # Also teapot's error for a cursor whose lease ended, which it is outside a transaction.
    assert isinstance(raised.value, InterfaceError)
    with pytest.raises(expected):
        await cursor.fetchall()


async def test_a_closed_cursor_refuses_statements_while_its_connection_is_still_leased():
    async with transaction.atomic():
        async with connection.cursor() as cursor:
            await cursor.execute("SELECT 1")
        # The atomic block keeps the connection: the cursor itself says no.
        with pytest.raises(connection.features.closed_cursor_error_class, match="closed"):
            await cursor.execute("SELECT 2")
        with pytest.raises(connection.features.closed_cursor_error_class):
            await cursor.fetchone()
        # The transaction is unharmed.
        async with connection.cursor() as other:
            await other.execute("SELECT 3")
            assert tuple(await other.fetchone()) == (3,)


ROUTINES = {
    "postgresql": (
        "CREATE FUNCTION teapot_add (a INTEGER, b INTEGER) RETURNS INTEGER AS $$ "
        "BEGIN RETURN a + b; END; $$ LANGUAGE plpgsql",
        "DROP FUNCTION teapot_add (INTEGER, INTEGER)",
    ),
    "mysql": (
        "CREATE PROCEDURE teapot_add (IN a INTEGER, IN b INTEGER) BEGIN SELECT a + b; END",
        "DROP PROCEDURE teapot_add",
    ),
}


@pytest.mark.skipif(DATABASE not in ROUTINES, reason="SQLite has no stored routines")
async def test_callproc_runs_a_stored_routine():
    create, drop = ROUTINES[DATABASE]
    async with connection.cursor() as cursor:
        await cursor.execute(create)
    try:
        async with connection.cursor() as cursor:
            assert list(await cursor.callproc("teapot_add", [2, 3])) == [2, 3]
            assert tuple(await cursor.fetchone()) == (5,)
    finally:
        async with connection.cursor() as cursor:
            await cursor.execute(drop)
