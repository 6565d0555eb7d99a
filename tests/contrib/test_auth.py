"""teapot.contrib.auth and teapot.contrib.contenttypes with their migrations, as a standalone
project uses them: tests/contrib/auth_project (a custom user model, AUTH_USER_MODEL) is run in
a pytest process of its own, configured once with those apps, on a database of its own: a
temporary SQLite file, or ``<test database>_auth`` on the chosen server, created empty for the
run and dropped after it."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.database.databases import chosen, other_database

ROOT = Path(__file__).parents[2]
PROJECT = Path(__file__).parent / "auth_project"
INNER_TESTS = 12

DROP = """
import asyncio, sys, urllib.parse

async def drop(name, url):
    url = urllib.parse.urlsplit(url)
    dbname = url.path.lstrip("/")
    if name == "postgresql":
        import asyncpg

        conn = await asyncpg.connect(url.geturl().rsplit("/", 1)[0] + "/postgres")
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{dbname}"')
        finally:
            await conn.close()
    else:
        import asyncmy

        conn = await asyncmy.connect(
            host=url.hostname, port=url.port or 3306, user=url.username or "root", password=url.password or ""
        )
        try:
            async with conn.cursor() as cur:
                await cur.execute(f"DROP DATABASE IF EXISTS `{dbname}`")
        finally:
            conn.close()

asyncio.run(drop(sys.argv[1], sys.argv[2]))
"""


def _server(args: list[str]) -> None:
    # In a process of its own, as tests/testing does: the outer process keeps its own
    # driver connections out of it.
    subprocess.run([sys.executable, *args], check=True, cwd=ROOT)


@pytest.fixture
def auth_project(pytester, request, monkeypatch):
    name = chosen(request.config.getoption("--db"))
    if name == "sqlite":
        url = f"sqlite:///{pytester.path / 'auth.sqlite3'}"
    else:
        url = other_database(name, "_auth")
        _server(["-c", DROP, name, url])
        _server(["-c", f"import asyncio; from tests.database.databases import create_database; "
                       f"asyncio.run(create_database({name!r}, {url!r}))"])
    monkeypatch.setenv("AUTH_PROJECT_DATABASE_URL", url)
    shutil.copytree(PROJECT, pytester.path, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    yield pytester
    if name != "sqlite":
        _server(["-c", DROP, name, url])


def test_contrib_auth_migrated_used_and_unmigrated(auth_project):
    result = auth_project.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly", "-v")
    result.assert_outcomes(passed=INNER_TESTS)
