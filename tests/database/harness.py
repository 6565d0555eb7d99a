"""What the tests on the database share (tests/orm, tests/connections, tests/backends,
tests/streams, tests/contrib, teapot.testing's test cases): teapot set up on the database chosen
by ``--db`` / ``TEAPOT_TEST_DATABASE`` (see databases.py), one database per test session, the
models of testapp, typeapp and genericapp, and the fixtures that create and drop their tables
around each test. Each of those directories' conftest.py calls ``pytest_configure`` and
imports the fixtures; teapot is set up once per process, by whichever comes first.

Besides "default", the aliases "replica" and "other" are two more databases on the same server
(SQLite: in-memory databases of their own) for the multiple-database tests; the other tests
never touch them."""

import asyncio
import contextlib

import pytest

import teapot
from teapot.configure import parse_database_url
from teapot.testing.fixtures import teapot_databases, teapot_transaction  # noqa: F401 (fixtures)
from tests.database.databases import chosen, create_database, database_urls

OTHER_POOL = {"max_size": 3, "timeout": 1}
DATABASE = chosen(None)  # replaced by --db in pytest_configure, before the tests import models


def pytest_configure(config):
    global DATABASE
    if teapot_is_set_up():
        return
    config.addinivalue_line("markers", "pool(**options): pool options of the default alias for this test")
    DATABASE = chosen(config.getoption("--db"))
    urls = database_urls(DATABASE)
    if DATABASE != "sqlite":
        for url in urls.values():
            asyncio.run(create_database(DATABASE, url))
    databases = {alias: parse_database_url(url) for alias, url in urls.items()}
    # A small pool of its own, so a test can exhaust it without touching the others.
    databases["other"].setdefault("OPTIONS", {})["pool"] = OTHER_POOL
    teapot.setup(
        databases,
        installed_apps=[
            "teapot.contrib.contenttypes",
            "teapot.contrib.sites",
            "tests.database.testapp",
            "tests.database.typeapp",
            "tests.database.genericapp",
        ],
    )


def teapot_is_set_up() -> bool:
    from teapot.conf import settings

    return settings.configured


def pytest_ignore_collect(collection_path, config):
    # Tests of one backend's own behaviour (test_backend_<db>.py, test_backend_<db>_<topic>.py)
    # run only on that database (tests/backends/conftest.py).
    stem = collection_path.stem
    own = f"test_backend_{DATABASE}"
    if stem.startswith("test_backend_") and not (stem == own or stem.startswith(f"{own}_")):
        return True
    return None


def models():
    from tests.database.testapp.models import (
        Author, Book, Category, Chapter, Event, Loan, Measure, Note, Place, Profile, Restaurant, Tag,
    )

    return (Author, Tag, Book, Profile, Loan, Category, Event, Place, Restaurant, Measure, Note, Chapter)


@pytest.fixture
def pool_settings(request):
    """``@pytest.mark.pool(max_size=1, ...)`` sets the default alias's pool options for one
    test (``health_checks=True`` sets CONN_HEALTH_CHECKS). Each test runs on an event loop
    of its own, so its pools are new and read these settings."""
    from teapot.db import connections

    marker = request.node.get_closest_marker("pool")
    settings = connections.settings["default"]
    saved = dict(settings["OPTIONS"]), settings["CONN_HEALTH_CHECKS"]
    if marker is not None:
        options = dict(marker.kwargs)
        settings["CONN_HEALTH_CHECKS"] = options.pop("health_checks", False)
        settings["OPTIONS"] = {**settings["OPTIONS"], "pool": options}
    yield
    settings["OPTIONS"], settings["CONN_HEALTH_CHECKS"] = saved


@pytest.fixture
async def healthy_after(tables):
    """The reliability tests' check after each test (tests/database/faults.py assert_healthy)."""
    from tests.database.faults import assert_healthy

    yield
    await assert_healthy()


@pytest.fixture
async def ann_bob_and_dune(tables):
    """Two authors of 30, Ann and Bob, and Ann's book Dune (the shortcuts' tests): Ann."""
    from tests.database.testapp.models import Author, Book

    ann = await Author.objects.acreate(name="Ann", age=30)
    await Author.objects.acreate(name="Bob", age=30)
    await Book.objects.acreate(title="Dune", author=ann)
    return ann


async def create_tables(alias="default"):
    from teapot.db import connections

    connection = connections[alias]
    await drop_leftover_tables(models(), connection)
    async with connection.schema_editor() as editor:
        for model in models():
            await editor.create_model(model)


async def drop_leftover_tables(models, connection):
    """Drop the tables of ``models`` that an interrupted run left behind. Foreign key checks
    are off meanwhile: another module's leftover table may still reference one of them, and
    MySQL refuses to drop a referenced table (PostgreSQL's DROP ... CASCADE and SQLite's
    schema editor need no help)."""
    import teapot

    async with teapot.connection(connection.alias):  # SET foreign_key_checks is session state
        existing = set(await connection.introspection.table_names())
        async with connection.constraint_checks_disabled():
            async with connection.schema_editor() as editor:
                for model in reversed(models):
                    if model._meta.db_table in existing:
                        await editor.delete_model(model)


@contextlib.asynccontextmanager
async def tables_of(models, forget=lambda: None):
    """The tables of ``models`` on the default database for the block (leftovers of an
    interrupted run dropped first), dropped after it, with the pools closed. ``forget`` is
    called once the tables exist and again before they go: a cache of their rows' ids (the
    content types', the sites') must not outlive them."""
    from teapot.db import connection

    await drop_leftover_tables(models, connection)
    async with connection.schema_editor() as editor:
        for model in models:
            await editor.create_model(model)
    forget()
    try:
        yield
    finally:
        forget()
        async with connection.schema_editor() as editor:
            for model in reversed(models):
                await editor.delete_model(model)
        await teapot.close()


async def drop_tables(alias="default"):
    from teapot.db import connections

    async with connections[alias].schema_editor() as editor:
        for model in reversed(models()):
            await editor.delete_model(model)


@pytest.fixture
async def tables(pool_settings):
    await create_tables()
    try:
        yield
    finally:
        await drop_tables()
        await teapot.close()
