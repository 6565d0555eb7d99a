"""A service's own conftest: teapot set up from PLUGIN_TEST_DATABASE_URL, the notes tables
created for the run, the plugin enabled, and ``committed_rows`` reading through a connection
of the driver's own, outside teapot."""

import asyncio
import contextlib
import os
import sqlite3

import pytest

import teapot
from teapot.configure import parse_database_url

pytest_plugins = ["teapot.testing.pytest"]

URL = os.environ["PLUGIN_TEST_DATABASE_URL"]


def pytest_configure(config):
    teapot.setup(URL, installed_apps=["notes"])
    asyncio.run(_recreate_tables())


async def _recreate_tables():
    from notes.models import Author, Note
    from teapot.db import connection

    async with connection.schema_editor() as editor:
        existing = set(await connection.introspection.table_names())
        for model in (Note, Author):
            if model._meta.db_table in existing:
                await editor.delete_model(model)
        for model in (Author, Note):
            await editor.create_model(model)
    await teapot.close()


@pytest.fixture
def app():
    from service import app

    return app


async def committed_rows(table):
    """The rows of ``table`` that another connection sees: committed ones only."""
    settings = parse_database_url(URL)
    if settings["ENGINE"].endswith("aiosqlite"):
        with contextlib.closing(sqlite3.connect(settings["NAME"])) as conn:
            return conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
    if settings["ENGINE"].endswith("asyncpg"):
        import asyncpg

        conn = await asyncpg.connect(URL)
        try:
            return await conn.fetchval(f'SELECT COUNT(*) FROM "{table}"')
        finally:
            await conn.close()
    import asyncmy

    conn = await asyncmy.connect(
        host=settings["HOST"],
        port=int(settings["PORT"] or 3306),
        user=settings["USER"],
        password=settings["PASSWORD"],
        db=settings["NAME"],
    )
    try:
        async with conn.cursor() as cursor:
            await cursor.execute(f"SELECT COUNT(*) FROM `{table}`")
            return (await cursor.fetchone())[0]
    finally:
        conn.close()
