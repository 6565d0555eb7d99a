"""A test that connects a wrapper of its own with the alias's settings and never closes it
must not leave the next tests of its TestCase class waiting for the shared test
transaction's one connection: the runner takes the lease back when the test is over. Before,
each later test waited for the pool's timeout and errored.

A copy of a connection (``connection.copy()``, whose settings are a copy: Django's "for
tests that require two connections to the same database") is another connection, outside
the test's transaction, from a pool of its own that the runner closes after the test."""

import time

import pytest

from teapot.db import connection, connections
from teapot.pool import pools
from teapot.testing import TestCase
from teapot.testing.runner import run_classes
from tests.database.testapp.models import Author

pytestmark = pytest.mark.usefixtures("tables")


@pytest.mark.pool(timeout=2)
async def test_a_wrapper_left_connected_does_not_block_the_next_tests():
    seen = {}

    class Cases(TestCase):
        async def test_a_leaks(self):
            wrapper = connections["default"]
            same = type(wrapper)(wrapper.settings_dict, wrapper.alias)
            await same.connect()
            seen["leased"] = same.connection is not None

        async def test_b_queries(self):
            await Author.objects.acreate(name="after the leak")
            seen["count"] = await Author.objects.acount()

        async def test_c_queries(self):
            seen["again"] = await Author.objects.acount()

    started = time.monotonic()
    results = await run_classes([Cases])
    outcomes = {test_id.rsplit(".", 1)[-1]: outcome for test_id, (outcome, _detail) in results.items()}
    assert outcomes == {"test_a_leaks": "passed", "test_b_queries": "passed", "test_c_queries": "passed"}
    assert seen == {"leased": True, "count": 1, "again": 0}
    assert time.monotonic() - started < 2
    assert await Author.objects.acount() == 0


@pytest.mark.pool(timeout=2)
async def test_a_copy_is_another_connection_outside_the_test_transaction():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's shared-cache in-memory database locks the table the test wrote to")
    seen = {}

    class Cases(TestCase):
        async def test_copy(self):
            await Author.objects.acreate(name="uncommitted")
            other = connection.copy()
            try:
                async with other.cursor() as cursor:
                    await cursor.execute(f"SELECT COUNT(*) FROM {Author._meta.db_table}")
                    seen["copy sees"] = (await cursor.fetchone())[0]
                    seen["copy in the test's transaction"] = other.in_atomic_block
                seen["test sees"] = await Author.objects.acount()
                seen["copy's pool open"] = any(pool.settings_dict is other.settings_dict for pool in pools())
            finally:
                await other.close()
            seen["copy"] = other

    results = await run_classes([Cases])
    assert [outcome for outcome, _detail in results.values()] == ["passed"], results
    assert seen["copy sees"] == 0 and seen["test sees"] == 1
    assert seen["copy in the test's transaction"] is False and seen["copy's pool open"] is True
    # The runner closed the copy's pool after the test.
    assert not any(pool.settings_dict is seen["copy"].settings_dict for pool in pools())
    assert await Author.objects.acount() == 0
