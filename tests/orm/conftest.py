"""ORM tests, on the database chosen by ``--db`` / ``TEAPOT_TEST_DATABASE`` (see databases.py):
one database per test session, tables created and dropped around each test."""

import asyncio

import pytest

import teapot
from tests.orm.databases import URLS, chosen, create_database

DATABASE = chosen(None)  # replaced by --db in pytest_configure, before the tests import models


def pytest_configure(config):
    global DATABASE
    config.addinivalue_line("markers", "pool(**options): pool options of the default alias for this test")
    DATABASE = chosen(config.getoption("--db"))
    if DATABASE != "sqlite":
        asyncio.run(create_database(DATABASE))
    teapot.setup(URLS[DATABASE], installed_apps=["tests.orm.testapp", "tests.orm.typeapp"])


def pytest_ignore_collect(collection_path, config):
    # Tests of one backend's own behaviour (test_backend_<db>.py) run only on that database.
    stem = collection_path.stem
    if stem.startswith("test_backend_") and stem != f"test_backend_{DATABASE}":
        return True
    return None


def models():
    from tests.orm.testapp.models import Author, Book, Category, Event, Measure, Place, Profile, Restaurant, Tag

    return (Author, Tag, Book, Profile, Category, Event, Place, Restaurant, Measure)


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
    """The reliability tests' check after each test (tests/orm/faults.py assert_healthy)."""
    from tests.orm.faults import assert_healthy

    yield
    await assert_healthy()


@pytest.fixture
async def tables(pool_settings):
    from teapot.db import connection

    async with connection.schema_editor() as editor:
        existing = set(await connection.introspection.table_names())
        for model in reversed(models()):  # referencing tables first: MySQL enforces FKs on DROP
            if model._meta.db_table in existing:  # left behind by an interrupted run
                await editor.delete_model(model)
        for model in models():
            await editor.create_model(model)
    try:
        yield
    finally:
        async with connection.schema_editor() as editor:
            for model in reversed(models()):
                await editor.delete_model(model)
        await teapot.close()
