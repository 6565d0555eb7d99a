"""pytest fixtures for test suites of services that use teapot. Hand-written.

In a conftest.py::

    from teapot.testing.fixtures import teapot_databases, teapot_transaction  # noqa: F401

    @pytest.fixture(autouse=True)
    def _rolled_back(teapot_transaction):
        pass

Every task of each test (its fixtures, the test body, the app it calls through
``httpx.ASGITransport``, a ``StreamingResponse`` body) then leases one connection inside one
transaction, which is rolled back when the test ends: no row written during the test is left.
Fixtures that write must come after ``teapot_transaction`` (an autouse fixture comes first).
Needs pytest-asyncio (``asyncio_mode = auto``, or strict: the fixture is declared with it).
"""

import pytest
import pytest_asyncio

from teapot.shared_transaction import shared_transaction


@pytest.fixture
def teapot_databases():
    """The aliases that ``teapot_transaction`` covers; override it to add others."""
    return ["default"]


@pytest_asyncio.fixture
async def teapot_transaction(teapot_databases):
    """Run the test in the shared test transaction of ``teapot_databases``, rolled back at
    its end (teapot.shared_transaction)."""
    async with shared_transaction(*teapot_databases):
        yield
