"""tests/typing/awaited_api.py run on the test database: each value its assert_type() lines
describe (mypy checks them in tests/typing/test_mypy.py) passes the isinstance() checks
beside them at run time."""

import pytest

from tests.typing import awaited_api

pytestmark = pytest.mark.usefixtures("tables")


@pytest.mark.parametrize("part", ["writes", "reads", "relations", "transactions_and_tasks"])
async def test_the_types_hold_at_run_time(part):
    await getattr(awaited_api, part)()
