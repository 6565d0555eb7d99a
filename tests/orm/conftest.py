"""ORM tests, on the database chosen by ``--db`` / ``TEAPOT_TEST_DATABASE`` (see databases.py):
one database per test session, tables created and dropped around each test."""

import asyncio

import pytest

import teapot
from tests.orm.databases import URLS, chosen, create_database

DATABASE = chosen(None)  # replaced by --db in pytest_configure, before the tests import models


def pytest_configure(config):
    global DATABASE
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
async def tables():
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
