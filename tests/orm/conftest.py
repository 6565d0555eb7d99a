"""ORM tests on SQLite (aiosqlite): one in-memory database per test session, tables per test."""

import pytest

import teapot

teapot.setup("sqlite://:memory:", installed_apps=["tests.orm.testapp"])

from teapot.db import connection  # noqa: E402
from tests.orm.testapp.models import Author, Book, Category, Event, Measure, Place, Profile, Restaurant, Tag  # noqa: E402

MODELS = (Author, Tag, Book, Profile, Category, Event, Place, Restaurant, Measure)


@pytest.fixture
async def tables():
    async with connection.schema_editor() as editor:
        for model in MODELS:
            await editor.create_model(model)
    try:
        yield
    finally:
        async with connection.schema_editor() as editor:
            for model in reversed(MODELS):
                await editor.delete_model(model)
        await teapot.close()
