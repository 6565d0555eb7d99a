"""Which database the ORM tests run on: one per pytest run, chosen by ``--db`` or by the
``TEAPOT_TEST_DATABASE`` environment variable (sqlite, postgresql or mysql; default sqlite).

The server URLs default to the local servers and can be changed with
``TEAPOT_TEST_POSTGRESQL_URL`` / ``TEAPOT_TEST_MYSQL_URL``. The test database is created when
it does not exist.
"""

from __future__ import annotations

import os
import urllib.parse

DATABASES = ("sqlite", "postgresql", "mysql")

URLS = {
    "sqlite": "sqlite://:memory:",
    "postgresql": os.environ.get("TEAPOT_TEST_POSTGRESQL_URL", "postgresql://postgres@127.0.0.1:5432/teapot_test"),
    "mysql": os.environ.get("TEAPOT_TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306/teapot_test"),
}


def chosen(option: str | None) -> str:
    name = option or os.environ.get("TEAPOT_TEST_DATABASE") or "sqlite"
    if name not in DATABASES:
        raise SystemExit(f"unknown test database {name!r}: choose one of {', '.join(DATABASES)}")
    return name


ALIASES = ("default", "replica", "other")


def database_urls(name: str) -> dict[str, str]:
    """The URLs of the test aliases: "default", and "replica" and "other" on the same server
    (SQLite's in-memory databases are one per alias)."""
    if name == "sqlite":
        return dict.fromkeys(ALIASES, URLS[name])
    return {alias: URLS[name] if alias == "default" else other_database(name, f"_{alias}") for alias in ALIASES}


def other_database(name: str, suffix: str) -> str:
    """The URL of a second test database on the same server (for tests in a subprocess)."""
    base, _, dbname = URLS[name].rpartition("/")
    return f"{base}/{dbname}{suffix}"


async def create_database(name: str, url: str | None = None) -> None:
    """Create the server's test database if it is missing, with the driver itself."""
    url = urllib.parse.urlsplit(url or URLS[name])
    dbname = url.path.lstrip("/")
    if name == "postgresql":
        import asyncpg

        conn = await asyncpg.connect(url.geturl().rsplit("/", 1)[0] + "/postgres")
        try:
            if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", dbname):
                await conn.execute(f'CREATE DATABASE "{dbname}"')
        finally:
            await conn.close()
    elif name == "mysql":
        import asyncmy

        conn = await asyncmy.connect(
            host=url.hostname, port=url.port or 3306, user=url.username or "root", password=url.password or ""
        )
        try:
            async with conn.cursor() as cur:
                # Asked first: CREATE DATABASE IF NOT EXISTS prints the driver's warning otherwise.
                await cur.execute("SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", [dbname])
                if not await cur.fetchone():
                    await cur.execute(f"CREATE DATABASE `{dbname}` CHARACTER SET utf8mb4")
        finally:
            conn.close()


def django_database_settings(name: str, sqlite_name: str = ":memory:") -> dict:
    """The DATABASES entry Django itself (sync) uses for the same test database."""
    if name == "sqlite":
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": sqlite_name}
    url = urllib.parse.urlsplit(URLS[name])
    entry = {
        "NAME": url.path.lstrip("/"),
        "USER": urllib.parse.unquote(url.username or ""),
        "PASSWORD": urllib.parse.unquote(url.password or ""),
        "HOST": url.hostname or "",
        "PORT": str(url.port or ""),
    }
    if name == "postgresql":
        return {**entry, "ENGINE": "django.db.backends.postgresql"}
    try:
        import pymysql  # Django's MySQL backend imports MySQLdb; PyMySQL stands in for mysqlclient
    except ImportError:
        pass  # a process that reaches the database through teapot alone
    else:
        pymysql.install_as_MySQLdb()
    return {**entry, "ENGINE": "django.db.backends.mysql", "OPTIONS": {"charset": "utf8mb4"}}
