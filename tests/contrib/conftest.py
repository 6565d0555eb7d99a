"""The integrations' tests run on the ORM tests' databases, models and fixtures
(tests/orm/conftest.py): teapot is set up once per process, by whichever conftest comes first."""

from teapot.testing.fixtures import teapot_databases, teapot_transaction  # noqa: F401 (fixtures)
from tests.orm import conftest as orm
from tests.orm.conftest import healthy_after, pool_settings, tables  # noqa: F401 (fixtures)


def pytest_configure(config):
    orm.pytest_configure(config)


# The contrib.auth project is run by test_auth.py in a pytest process of its own.
collect_ignore = ["auth_project"]
