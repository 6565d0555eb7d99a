"""The integrations' tests run on the database, models and fixtures the tests share
(tests/database/harness.py): teapot is set up once per process, by whichever conftest comes first."""

from teapot.testing.fixtures import teapot_databases, teapot_transaction  # noqa: F401 (fixtures)
from tests.database import harness
from tests.database.harness import ann_bob_and_dune, healthy_after, pool_settings, tables  # noqa: F401 (fixtures)


def pytest_configure(config):
    harness.pytest_configure(config)


# The contrib.auth project is run by test_auth.py in a pytest process of its own.
collect_ignore = ["auth_project"]
