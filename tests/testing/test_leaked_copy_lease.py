"""A test that connects a copy of a connection (``connection.copy()``) and never closes it must
not leave the next tests of its TestCase class waiting for the shared test transaction's one
connection: the runner takes the lease back when the test is over. Before, each later test
waited for the pool's timeout and errored."""

import time

import pytest

from teapot.db import connection
from teapot.testing import TestCase
from teapot.testing.runner import run_classes
from tests.database.testapp.models import Author

pytestmark = pytest.mark.usefixtures("tables")


@pytest.mark.pool(timeout=2)
async def test_a_copy_left_connected_does_not_block_the_next_tests():
    seen = {}

    class Cases(TestCase):
        async def test_a_leaks(self):
            copy = connection.copy()
            await copy.connect()
            seen["leased"] = copy.connection is not None

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
