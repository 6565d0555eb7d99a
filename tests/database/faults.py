"""Tools of the fault tests: the health check run after each of them, slow statements,
server sessions, and a TCP proxy that can drop or swallow a server's traffic."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time

from teapot import pool as pools
from teapot.db import connection, connections


class Ticker:
    """``async with Ticker() as ticker``: a task that counts its turns of the event loop, so
    ``ticker.ticks`` grows only while the code under test lets other tasks run."""

    def __init__(self):
        self.ticks = 0
        self._task = None

    async def _tick(self):
        while True:
            self.ticks += 1
            await asyncio.sleep(0)

    async def __aenter__(self):
        self._task = asyncio.create_task(self._tick())
        await asyncio.sleep(0)  # its first turn
        return self

    async def __aexit__(self, *exc_info):
        self._task.cancel()


def vendor() -> str:
    return connection.vendor


def slow_sql(seconds: float) -> str:
    """A scalar SQL expression that takes about ``seconds`` (SQLite: a long count)."""
    if vendor() == "postgresql":
        return f"(SELECT 1 FROM pg_sleep({seconds}))"
    if vendor() == "mysql":
        return f"SLEEP({seconds})"
    rows = int(seconds * 4_000_000)
    return f"(WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < {rows}) SELECT count(*) FROM c)"


async def fetch(sql, params=(), using="default"):
    async with connections[using].cursor() as cur:
        await cur.execute(sql, list(params))
        return [tuple(row) for row in await cur.fetchall()]


async def session_id(using="default"):
    """The server's id of this task's session (SQLite: the driver connection's id)."""
    conn = connections[using]
    if conn.vendor == "postgresql":
        return (await fetch("SELECT pg_backend_pid()", using=using))[0][0]
    if conn.vendor == "mysql":
        return (await fetch("SELECT CONNECTION_ID()", using=using))[0][0]
    await conn.ensure_connection()
    return conn.connection  # compared by identity; kept alive, so never confused


async def kill_session(session):
    """End a session from a connection of its own, outside the pool, as an administrator
    (or a failover) would: pg_terminate_backend() or KILL."""
    await connections["default"].raw_end_session(session)


async def server_sessions(where: str) -> int:
    """Sessions of the test database, other than the asking one, matching ``where``."""
    if vendor() == "postgresql":
        sql = (
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            f"AND pid <> pg_backend_pid() AND {where}"
        )
    else:
        sql = (
            "SELECT COUNT(*) FROM information_schema.processlist p "
            "LEFT JOIN information_schema.innodb_trx t ON t.trx_mysql_thread_id = p.id "
            f"WHERE p.db = DATABASE() AND p.id <> CONNECTION_ID() AND {where}"
        )
    return (await fetch(sql))[0][0]


def idle_in_transaction() -> str:
    if vendor() == "postgresql":
        return "state LIKE 'idle in transaction%%'"
    return "p.command = 'Sleep' AND t.trx_id IS NOT NULL"


def running(marker: str) -> str:
    if vendor() == "postgresql":
        return f"state = 'active' AND query LIKE '%%{marker}%%'"
    return f"p.info LIKE '%%{marker}%%'"


def sleeping() -> str:
    """Sessions still running a slow_sql() statement."""
    return running("pg_sleep(" if vendor() == "postgresql" else "SLEEP(")


RESTART_ALLOWED = os.environ.get("TEAPOT_TEST_RESTART_SERVER") == "1"


async def run(*command):
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await process.communicate()
    assert process.returncode == 0, f"{' '.join(command)}: {output.decode()}"


async def restart_server():
    """Restart the local test server for real (.ci/run allows it: TEAPOT_TEST_RESTART_SERVER=1)."""
    if vendor() == "postgresql":
        version = sorted(os.listdir("/etc/postgresql"))[-1]
        await run("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart", "-m", "fast")
    else:
        # Stop and wait for the process to be gone (start --oknodo would see it and do nothing).
        await run("start-stop-daemon", "--stop", "--oknodo", "--retry", "TERM/30/KILL/5", "--exec", "/usr/sbin/mariadbd")
        await run("install", "-d", "-o", "mysql", "-g", "mysql", "/run/mysqld")  # its socket's folder
        await run("start-stop-daemon", "--start", "--oknodo", "--background", "--exec", "/usr/sbin/mariadbd")
        await run("mariadb-admin", "-h", "127.0.0.1", "-u", "root", "--wait=30", "--connect-timeout=2", "ping")


async def until(predicate, timeout=10.0, interval=0.02):
    """Wait for ``predicate()`` (sync or async) to hold; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {timeout} s: {predicate}")
        await asyncio.sleep(interval)


async def assert_healthy():
    """What must hold after every fault test: every pool idle and full (nothing in use,
    nothing being reset, each idle connection clean), no session of the test database idle
    in a transaction on the server, and ``SELECT 1`` works."""
    await until(lambda: all(p.in_use == 0 and p.pending == 0 for p in pools.pools()))
    for pool in pools.pools():
        assert pool.idle == pool.size, pool
        for entry in pool._idle:
            assert pool.driver.raw_is_clean(entry.raw), f"a dirty connection is idle in {pool}"

    async def no_session_idle_in_transaction():
        return await server_sessions(idle_in_transaction()) == 0

    async def check():
        if vendor() != "sqlite":
            # The server ends a closed session's transaction in its own time: a few ms on
            # MariaDB. A session a leak left open stays, and fails after the timeout.
            await until(no_session_idle_in_transaction, timeout=5)
        assert await fetch("SELECT 1") == [(1,)]

    await asyncio.create_task(check())
    await until(lambda: all(p.in_use == 0 for p in pools.pools()))


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a server.

    - ``refuse()`` drops every connection and refuses new ones until ``accept()``: a server
      restart, as its clients see it;
    - ``stall()`` stops forwarding on the connections open now (they stay open): a network
      path that died silently, as for a connection idle in a pool;
    - ``blackhole()`` stalls every connection, new ones too: a network partition.
    """

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.mode = "forward"
        self.port = None
        self._server = None
        self._pipes: set[asyncio.Task] = set()
        self._links: list[dict] = []

    async def start(self):
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def _serve(self, reader, writer):
        if self.mode == "refuse":
            writer.transport.abort()
            return
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        link = {"writers": (writer, upstream_writer), "stalled": self.mode == "blackhole"}
        self._links.append(link)
        for source, sink in ((reader, upstream_writer), (upstream_reader, writer)):
            task = asyncio.create_task(self._pipe(link, source, sink))
            self._pipes.add(task)
            task.add_done_callback(self._pipes.discard)

    async def _pipe(self, link, reader, writer):
        with contextlib.suppress(OSError, asyncio.CancelledError):
            while data := await reader.read(65536):
                while link["stalled"]:
                    await asyncio.sleep(0.02)
                writer.write(data)
                await writer.drain()
        writer.close()

    def refuse(self):
        self.mode = "refuse"
        for link in self._links:
            for writer in link["writers"]:
                writer.transport.abort()
        self._links.clear()

    def stall(self):
        for link in self._links:
            link["stalled"] = True

    def blackhole(self):
        self.mode = "blackhole"
        self.stall()

    def accept(self):
        self.mode = "forward"

    async def close(self):
        self.refuse()
        self._server.close()
        for task in list(self._pipes):
            task.cancel()
        await asyncio.gather(*self._pipes, return_exceptions=True)
        await self._server.wait_closed()


@contextlib.asynccontextmanager
async def proxy_to_server():
    settings = connections.settings["default"]
    default_port = 5432 if vendor() == "postgresql" else 3306
    proxy = await TcpProxy(settings["HOST"] or "127.0.0.1", int(settings["PORT"] or default_port)).start()
    try:
        yield proxy
    finally:
        await proxy.close()


@contextlib.asynccontextmanager
async def alias_through(proxy: TcpProxy, name="proxied", health_checks=False, **pool):
    """A database alias that reaches the test database through ``proxy``."""
    settings = connections.settings
    base = settings["default"]
    options = {k: v for k, v in base["OPTIONS"].items() if k != "pool"}
    settings[name] = {
        **base,
        "HOST": "127.0.0.1",
        "PORT": str(proxy.port),
        "OPTIONS": {**options, "pool": pool},
        "CONN_HEALTH_CHECKS": health_checks,
    }
    try:
        yield name
    finally:
        for p in pools.pools():
            if p.alias == name:
                await p.close()
        del settings[name]


def server_cpu_seconds() -> float | None:
    """CPU seconds the local test server's processes have used (PostgreSQL: every server
    process alive now; MariaDB: its one process), read from /proc; None when the server does
    not run on this machine."""
    names = {"postgres"} if vendor() == "postgresql" else {"mariadbd", "mysqld"}
    ticks = 0
    found = False
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)
            with open(f"/proc/{entry}/comm") as comm:
                name = comm.read().strip()
        except OSError:
            continue  # gone meanwhile
        if name in names:
            found = True
            rest = fields[1].split()
            ticks += int(rest[11]) + int(rest[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK") if found else None
