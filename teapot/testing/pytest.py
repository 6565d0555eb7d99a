"""pytest plugin for the test suites of services that use teapot. Hand-written.

Enable it in a conftest.py with ``pytest_plugins = ["teapot.testing.pytest"]`` (or ``-p
teapot.testing.pytest``). teapot declares no entry point for it: installing teapot in an
environment does not add fixtures to every test suite run there. Needs pytest-asyncio, and
httpx for ``asgi_client``.

Fixtures:

- ``teapot_db``: every write of the test, by any task (fixtures, the test, the app), is rolled
  back at its end: they all share one transaction (teapot.shared_transaction).
- ``teapot_transactional_db``: writes commit for real; the tables of the installed models are
  emptied after the test.
- ``teapot_databases``: the aliases both cover (``["default"]``); override it for others.
- ``assert_num_queries``: teapot.testing.queries.assert_num_queries.
- ``asgi_client``: an ``httpx.AsyncClient`` on the ``app`` fixture (define it), with the
  app's lifespan run around the test.

Request the database fixture before ``asgi_client`` and before fixtures that write, so that
they run inside it.
"""

from __future__ import annotations

import pytest
import pytest_asyncio

from teapot.shared_transaction import active
from teapot.testing.fixtures import teapot_databases, teapot_transaction  # noqa: F401 (fixtures)
from teapot.testing.flush import flush
from teapot.testing.lifespan import run_lifespan
from teapot.testing.queries import assert_num_queries as _assert_num_queries


@pytest.fixture
def teapot_db(teapot_transaction):
    """The test's writes, in any task, are rolled back when it ends (the shared test
    transaction of the ``teapot_databases`` aliases; an ``atomic()`` block is a savepoint)."""


@pytest_asyncio.fixture
async def teapot_transactional_db(teapot_databases):
    """The test's writes commit; after it, every table of the installed models on the
    ``teapot_databases`` aliases is emptied (PostgreSQL: TRUNCATE ... CASCADE, which also
    empties tables that reference them)."""
    shared = [alias for alias in teapot_databases if active(alias)]
    if shared:
        raise RuntimeError(
            f"teapot_transactional_db cannot commit on {shared}: they are in the shared test "
            "transaction (teapot_db or teapot_transaction) of this test."
        )
    try:
        yield
    finally:
        await flush(teapot_databases, allow_cascade=True)


@pytest.fixture
def assert_num_queries():
    """``async with assert_num_queries(n, using="default"):`` (or ``with``) fails unless the
    block ran exactly ``n`` statements, in whichever tasks."""
    return _assert_num_queries


@pytest.fixture
def app():
    """The ASGI app that ``asgi_client`` calls: define an ``app`` fixture of your own."""
    raise pytest.UsageError("asgi_client needs the app under test: define an `app` fixture that returns it.")


@pytest_asyncio.fixture
async def asgi_client(app):
    """An ``httpx.AsyncClient`` sending requests to ``app`` (base URL ``http://testserver``),
    after the app's lifespan start-up; its shut-down runs after the test."""
    import httpx

    async with run_lifespan(app) as app_with_state:
        transport = httpx.ASGITransport(app=app_with_state)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
