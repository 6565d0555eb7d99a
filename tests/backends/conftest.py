"""The database backends' own behaviour (aiosqlite, asyncpg, asyncmy, PgBouncer), their cursors,
introspection and schema editors, on the database the tests share (tests/database/harness.py).
A test_backend_<db>*.py file runs only on its database."""

from teapot.testing.fixtures import teapot_databases, teapot_transaction  # noqa: F401 (fixtures)
from tests.database import harness
from tests.database.harness import healthy_after, pool_settings, tables  # noqa: F401 (fixtures)


def pytest_configure(config):
    harness.pytest_configure(config)


def pytest_ignore_collect(collection_path, config):
    return harness.pytest_ignore_collect(collection_path, config)
