"""How the raw async drivers connect and which Python values each takes, shared by the seed
(bench/schema.py) and the raw workloads (bench/workloads_raw/).

Sessions are set up as teapot sets up its own: autocommit, UTC, utf8mb4 on MySQL."""

from __future__ import annotations

import datetime

from bench import config


async def connect(backend: str):
    """One raw connection to the benchmark's database."""
    if backend == "sqlite":
        import aiosqlite

        # isolation_level=None: autocommit, transactions only where BEGIN says so.
        return await aiosqlite.connect(config.SQLITE_PATH, isolation_level=None)
    if backend == "postgresql":
        import asyncpg

        return await asyncpg.connect(**postgresql_params())
    import asyncmy

    return await asyncmy.connect(**mysql_params())


def postgresql_params() -> dict:
    s = config.server("postgresql")
    return {
        "host": s.host, "port": s.port, "user": s.user, "password": s.password or None,
        "database": s.database, "server_settings": {"TimeZone": "UTC"},
    }


def mysql_params() -> dict:
    s = config.server("mysql")
    return {
        "host": s.host, "port": s.port, "user": s.user, "password": s.password,
        "database": s.database, "charset": "utf8mb4", "autocommit": True,
        "init_command": "SET time_zone = '+00:00'",
    }


def placeholders(backend: str, count: int, start: int = 1) -> str:
    """``count`` parameter markers in the driver's style, comma-separated."""
    if backend == "postgresql":
        return ", ".join(f"${n}" for n in range(start, start + count))
    marker = "?" if backend == "sqlite" else "%s"
    return ", ".join([marker] * count)


def marker(backend: str, position: int = 1) -> str:
    return placeholders(backend, 1, start=position)


def adapt_datetime(backend: str, value: datetime.datetime):
    """asyncpg takes aware datetimes; MySQL's datetime(6) holds naive UTC; SQLite stores text
    as Django writes it (naive UTC, a space between date and time)."""
    if backend == "postgresql":
        return value
    naive = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return naive if backend == "mysql" else naive.isoformat(" ")


def item_params(backend: str, row: dict) -> tuple:
    """A bench_item row from bench/rows.py as the driver's parameters, in ITEM_COLUMNS order."""
    price = str(row["price"]) if backend == "sqlite" else row["price"]
    return (row["name"], row["qty"], price, adapt_datetime(backend, row["created"]), row["flag"], row["note"])
