"""teapot.testing's tests. The plugin's tests run small test suites (tests/testing/plugin_project
plus one test file) in a pytest subprocess each, on the database chosen by ``--db`` /
``TEAPOT_TEST_DATABASE``: a temporary SQLite file, or a database of its own on the shared
tests' server. The test cases' tests (test_testing_cases.py) run in this process, on the
database, models and fixtures the tests share (tests/database/harness.py)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from teapot.testing.fixtures import teapot_databases, teapot_transaction  # noqa: F401 (fixtures)
from tests.database import harness
from tests.database.databases import chosen, other_database
from tests.database.harness import healthy_after, pool_settings, tables  # noqa: F401 (fixtures)

ROOT = Path(__file__).parents[2]
PROJECT = Path(__file__).parent / "plugin_project"
# The project is the inner test runs' own: never collected by the outer one.
collect_ignore = ["plugin_project"]


def pytest_configure(config):
    harness.pytest_configure(config)


@pytest.fixture(scope="session")
def database_url(request):
    """The URL the service's tests run on: a fresh SQLite file per test (see plugin_project),
    or this database, created once, on the chosen server."""
    name = chosen(request.config.getoption("--db"))
    if name == "sqlite":
        return None
    url = other_database(name, "_pytest_plugin")
    # In a process of its own: asyncpg crashed this one when it connected here again after
    # the first inner run.
    create = (
        "import asyncio; from tests.database.databases import create_database; "
        f"asyncio.run(create_database({name!r}, {url!r}))"
    )
    subprocess.run([sys.executable, "-c", create], check=True, cwd=ROOT)
    return url


@pytest.fixture
def plugin_project(pytester, database_url, monkeypatch):
    """A pytester folder holding the service's project, with its database URL set."""
    url = database_url or f"sqlite:///{pytester.path / 'service.sqlite3'}"
    monkeypatch.setenv("PLUGIN_TEST_DATABASE_URL", url)
    shutil.copytree(PROJECT, pytester.path, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    return pytester
