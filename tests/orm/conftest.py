"""The ORM tests (querysets, models, relations, serializers, pagination, the statements teapot
reuses, typing), on the database the tests share (tests/database/harness.py)."""

from teapot.testing.fixtures import teapot_databases, teapot_transaction  # noqa: F401 (fixtures)
from tests.database import harness
from tests.database.harness import ann_bob_and_dune, healthy_after, pool_settings, tables  # noqa: F401 (fixtures)


def pytest_configure(config):
    harness.pytest_configure(config)
