"""The shop example (examples/shop) as its users run it: seeded by `python -m examples.shop
seed`, served by uvicorn in a process of its own on 127.0.0.1, read over real sockets. Also
what the tests ask the database server directly (sessions, rows), from outside the app."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import httpx

from tests.database.databases import create_database, other_database

ROOT = Path(__file__).resolve().parents[2]
POOL_MAX_SIZE = 10


def size(name: str, default: int) -> int:
    """A test size: the environment variable ``name`` (for full-size runs), else ``default``."""
    return int(os.environ.get(name, default))


def database_url(db: str, tmp_path: Path) -> str:
    if db == "sqlite":
        return f"sqlite:///{tmp_path / 'shop.sqlite3'}"
    return other_database(db, "_shop")


def fresh_database(db: str, url: str) -> None:
    """An empty database for the example (the server tests' own, beside the ORM tests')."""
    if db == "sqlite":
        return
    parsed = urllib.parse.urlsplit(url)
    name = parsed.path.lstrip("/")

    async def drop():
        if db == "postgresql":
            import asyncpg

            conn = await asyncpg.connect(url.rsplit("/", 1)[0] + "/postgres")
            try:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            finally:
                await conn.close()
        else:
            import asyncmy

            conn = await asyncmy.connect(host=parsed.hostname, port=parsed.port or 3306,
                                         user=parsed.username or "root", password=parsed.password or "")
            try:
                async with conn.cursor() as cur:
                    await cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
            finally:
                conn.close()
        await create_database(db, url)

    asyncio.run(drop())


def environment(url: str, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHOP_", "TEAPOT_DATABASE_URL"))}
    env.update(TEAPOT_DATABASE_URL=url, SHOP_POOL_MAX_SIZE=str(POOL_MAX_SIZE), SHOP_DIAGNOSTICS="1", PYTHONPATH=str(ROOT))
    env.update({k: str(v) for k, v in extra.items()})
    return env


def seed(url: str, readings: int) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "examples.shop", "seed"], cwd=ROOT, capture_output=True, text=True,
        env=environment(url, SHOP_TENANTS=2, SHOP_READINGS=readings), timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr


class ShopServer:
    """uvicorn serving examples.shop.app on a socket bound here, on a free port of 127.0.0.1,
    and handed to it (--fd): the port is known before it starts and nothing else can take it."""

    def __init__(self, url: str, log_path: Path):
        self.url = url
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self.base_url = ""

    def start(self) -> ShopServer:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(512)
        self.base_url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        with listener, open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "examples.shop.app:app", "--fd", str(listener.fileno()),
                 "--no-access-log", "--backlog", "512", "--ws", "websockets"],
                cwd=ROOT, env=environment(self.url), stdout=log, stderr=subprocess.STDOUT, pass_fds=[listener.fileno()],
            )
        self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"the server exited: {self.log()}"
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{self.base_url}/diagnostics", timeout=2).status_code == 200:
                    return
            time.sleep(0.1)
        raise AssertionError(f"the server did not answer within {timeout} s: {self.log()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def memory_kib(self) -> dict[str, int]:
        """VmRSS (resident now) and VmHWM (the peak so far) of the server process, in KiB."""
        fields = {}
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0])
        return fields


async def diagnostics(client: httpx.AsyncClient) -> dict:
    response = await client.get("/diagnostics")
    assert response.status_code == 200
    return response.json()


async def until(predicate, timeout: float = 10.0, interval: float = 0.05):
    """Wait for ``await predicate()`` to be truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not (value := await predicate()):
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {timeout} s: {predicate.__doc__ or predicate}")
        await asyncio.sleep(interval)
    return value


async def query(db: str, url: str, sql: str) -> list[tuple]:
    """Rows of ``sql`` on the example's database, from a connection of the test's own."""
    if db == "sqlite":
        path = urllib.parse.urlsplit(url).path  # sqlite:////abs/path -> //abs/path
        conn = sqlite3.connect(path[1:] if path.startswith("//") else path)
        try:
            return [tuple(row) for row in conn.execute(sql)]
        finally:
            conn.close()
    if db == "postgresql":
        import asyncpg

        conn = await asyncpg.connect(url)
        try:
            return [tuple(row) for row in await conn.fetch(sql)]
        finally:
            await conn.close()
    import asyncmy

    parsed = urllib.parse.urlsplit(url)
    conn = await asyncmy.connect(host=parsed.hostname, port=parsed.port or 3306, user=parsed.username or "root",
                                 password=parsed.password or "", db=parsed.path.lstrip("/"))
    try:
        async with conn.cursor() as cur:
            await cur.execute(sql)
            return [tuple(row) for row in await cur.fetchall()]
    finally:
        conn.close()


async def server_sessions(db: str, url: str) -> tuple[int, int]:
    """(sessions of the example's database, those of them idle in a transaction), other than
    the asking one. SQLite has no server: (0, 0), and the pool's own report stands for it."""
    if db == "postgresql":
        sql = ("SELECT count(*), count(*) FILTER (WHERE state LIKE 'idle in transaction%') FROM pg_stat_activity "
               "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    elif db == "mysql":
        sql = ("SELECT COUNT(*), COUNT(CASE WHEN p.command = 'Sleep' AND t.trx_id IS NOT NULL THEN 1 END) FROM information_schema.processlist p "
               "LEFT JOIN information_schema.innodb_trx t ON t.trx_mysql_thread_id = p.id "
               "WHERE p.db = DATABASE() AND p.id <> CONNECTION_ID()")
    else:
        return 0, 0
    [(sessions, in_transaction)] = await query(db, url, sql)
    return int(sessions), int(in_transaction)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(name: str, **figures) -> None:
    """Print the measured figures; also append them to $SHOP_TEST_REPORT when it is set."""
    text = f"{name}: " + ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in figures.items())
    print(text)
    if path := os.environ.get("SHOP_TEST_REPORT"):
        with open(path, "a") as file:
            file.write(text + "\n")
