"""The shop example under uvicorn, over real HTTP and WebSocket connections: a load with
clients that give up mid-request, two tenants' streams beside ordinary requests, and a
client that leaves mid-stream. After each, the server's pool and the database's sessions
must be clean.

The database is the one ``--db`` picks (tests/database/databases.py; a server's example database
is the test database's name + ``_shop``). Sizes default to what CI runs; the full sizes of
examples/shop/README.md are

    SHOP_TEST_REQUESTS=2000 SHOP_TEST_READINGS=100000 SHOP_TEST_REPORT=figures.txt \\
        python -m pytest tests/examples/test_shop_http.py --db=postgresql -s
"""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
import time
import urllib.parse

import httpx
import pytest
import websockets

from tests.examples.shop_server import (
    POOL_MAX_SIZE, ShopServer, diagnostics, database_url, fresh_database, percentile, query, report, seed,
    server_sessions, size, until,
)
from tests.database.databases import chosen

REQUESTS = size("SHOP_TEST_REQUESTS", 2000)
CONCURRENCY = size("SHOP_TEST_CONCURRENCY", 50)
ABORTED_SHARE = 0.3
READINGS = size("SHOP_TEST_READINGS", 20_000)  # per tenant, 200 value columns each
# Two streams' growth of the server's resident memory. Reading a whole result first would
# take far more: 20,000 rows of 200 values as Python objects are over 100 MB a stream.
RSS_GROWTH_BOUND_MIB = 100


@pytest.fixture(scope="module")
def shop_database(request, tmp_path_factory):
    db = chosen(request.config.getoption("--db"))
    url = database_url(db, tmp_path_factory.mktemp("shop"))
    fresh_database(db, url)
    seed(url, READINGS)
    return db, url


@pytest.fixture
def server(shop_database, tmp_path):
    """A server of its own per test: its memory figures start from a fresh process."""
    _, url = shop_database
    shop = ShopServer(url, tmp_path / "uvicorn.log")
    try:
        yield shop.start()
    finally:
        shop.stop()


@pytest.fixture
async def client(server):
    # Idle connections are dropped by the client before uvicorn's keep-alive timeout (5 s)
    # closes them: with both at 5 s, a request sent on a connection the server was closing at
    # that moment failed with ReadError (seen on a loaded machine).
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY, keepalive_expiry=2.0)
    async with httpx.AsyncClient(base_url=server.base_url, limits=limits, timeout=60) as client:
        yield client


async def assert_clean(client, db, url):
    """The pool idle and full (every connection back, clean, none being reset), at most
    max_size connections, and on a server no session of the example's database idle in a
    transaction and no more sessions than the pool may open."""

    async def pool_at_rest():
        """the pool at rest"""
        [pool] = (await diagnostics(client))["pools"]
        return pool if pool["in_use"] == 0 and pool["pending"] == 0 else None

    pool = await until(pool_at_rest)
    assert pool["idle"] == pool["size"] <= pool["max_size"] == POOL_MAX_SIZE, pool
    assert pool["idle_clean"], pool

    async def no_session_in_transaction():
        """no session idle in a transaction"""
        return (await server_sessions(db, url))[1] == 0

    await until(no_session_in_transaction, timeout=5)
    sessions, _ = await server_sessions(db, url)
    assert sessions <= POOL_MAX_SIZE


def order_body(customer_id: int, rng: random.Random, bad_line: bool) -> dict:
    lines = [{"sku": f"SKU-{rng.randrange(100)}", "quantity": rng.randrange(1, 5), "unit_price": "9.99"}
             for _ in range(rng.randrange(1, 4))]
    if bad_line:
        lines.append({"sku": "BAD", "quantity": 0, "unit_price": "1.00"})  # refused by the database at INSERT
    return {"customer_id": customer_id, "lines": lines}


async def test_load_with_aborted_requests(shop_database, client):
    """Requests of every kind at CONCURRENCY, ABORTED_SHARE of them cancelled mid-flight by
    the client (its connection closed): no error answer, no order without its lines, and the
    pool and sessions clean afterwards."""
    db, url = shop_database
    tenants = [t["id"] for t in (await client.get("/tenants")).json()]
    customers = {t: [row[0] for row in await query(db, url, f"SELECT id FROM shop_customer WHERE tenant_id = {t}")]
                 for t in tenants}
    rng = random.Random(7)
    cursors: dict[int, str] = {}

    async def one_request(i: int):
        tenant = rng.choice(tenants)
        kind = rng.random()
        if kind < 0.3:
            body = order_body(rng.choice(customers[tenant]), rng, bad_line=rng.random() < 0.2)
            return await client.post(f"/tenants/{tenant}/orders", json=body)
        if kind < 0.7:
            params = {"limit": 20}
            if rng.random() < 0.5:
                params["status"] = rng.choice(["open", "paid", "shipped"])
            elif cursors.get(tenant):
                params["cursor"] = cursors[tenant]
            response = await client.get(f"/tenants/{tenant}/orders", params=params)
            if response.status_code == 200 and "status" not in params:
                cursors[tenant] = response.json()["next_cursor"]
            return response
        if kind < 0.85:
            return await client.get(f"/tenants/{tenant}/stats")
        return await client.get(f"/tenants/{tenant}/orders/{rng.randrange(1, 60)}")

    latencies, statuses, aborted = [], {}, 0
    gate = asyncio.Semaphore(CONCURRENCY)

    async def run(i: int):
        nonlocal aborted
        async with gate:
            started = time.perf_counter()
            task = asyncio.create_task(one_request(i))
            if rng.random() < ABORTED_SHARE:
                # Give up after a moment: before, during or after the server's work.
                await asyncio.wait([task], timeout=rng.uniform(0, 0.02))
                if not task.done():
                    task.cancel()
                    aborted += 1
                    await asyncio.gather(task, return_exceptions=True)
                    return
            response = await task
            latencies.append(time.perf_counter() - started)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    started = time.perf_counter()
    await asyncio.gather(*(run(i) for i in range(REQUESTS)))
    elapsed = time.perf_counter() - started

    assert set(statuses) <= {200, 201, 404, 409}, statuses  # 409: an order with a bad line
    assert statuses.get(201, 0) > 0 and statuses.get(409, 0) > 0 and aborted > 0, (statuses, aborted)
    await assert_clean(client, db, url)
    # An order and its lines are one transaction: never one without the other.
    orphans = await query(db, url, "SELECT COUNT(*) FROM shop_order o WHERE NOT EXISTS "
                                   "(SELECT 1 FROM shop_orderline l WHERE l.order_id = o.id)")
    assert orphans == [(0,)]
    sessions, idle_in_transaction = await server_sessions(db, url)
    report(f"load on {db}", requests=REQUESTS, concurrency=CONCURRENCY, aborted=aborted,
           completed=len(latencies), requests_per_s=REQUESTS / elapsed,
           p50_ms=percentile(latencies, 0.5) * 1000, p99_ms=percentile(latencies, 0.99) * 1000,
           statuses=statuses, server_sessions=sessions, idle_in_transaction=idle_in_transaction)


def reading_columns_line(tenant: int) -> str:
    """An INSERT of one reading for ``tenant`` with every column given (no database defaults)."""
    columns, values = ["tenant_id"], [str(tenant)]
    for i in range(200):
        columns.append(f"c{i:03d}")
        values.append(("0", "0.0", "'uncommitted'")[i % 3])
    return f"INSERT INTO shop_reading ({', '.join(columns)}) VALUES ({', '.join(values)})"


async def check_rows(tenant: int, lines, seen: dict):
    """Count the NDJSON lines of a tenant's stream and check each is one of its committed rows."""
    last_id = 0
    async for line in lines:
        row = json.loads(line)
        assert row["tenant_id"] == tenant and row["c002"].startswith(f"t{tenant}-"), row
        assert row["id"] > last_id
        last_id = row["id"]
        seen[tenant] += 1


async def test_two_tenant_streams_beside_ordinary_requests(shop_database, server, client):
    """Tenant 1's readings over HTTP (NDJSON) and tenant 2's over a WebSocket at once, while
    other requests are served and another connection holds an uncommitted reading for tenant
    1: each stream complete, only its tenant's committed rows, server memory bounded."""
    db, url = shop_database
    for path in ("/tenants", "/tenants/1/stats", "/tenants/1/orders"):  # warm the server up
        assert (await client.get(path)).status_code == 200
    before = server.memory_kib()
    seen = {1: 0, 2: 0}

    async def http_stream():
        async with client.stream("GET", "/tenants/1/readings.ndjson") as response:
            assert response.status_code == 200
            await check_rows(1, response.aiter_lines(), seen)

    async def websocket_stream():
        ws_url = server.base_url.replace("http://", "ws://") + "/tenants/2/readings/ws"
        async with websockets.connect(ws_url, max_size=None) as ws:
            async def lines():
                async for message in ws:  # ends at the server's close (1000)
                    for line in message.splitlines():
                        yield line

            await check_rows(2, lines(), seen)
            assert ws.close_code == 1000

    latencies = []

    async def ordinary_requests(streams: asyncio.Future):
        paths = ["/tenants", "/tenants/1/stats", "/tenants/2/orders?limit=20", "/tenants/1/orders/3"]
        while not streams.done():
            started = time.perf_counter()
            response = await client.get(random.choice(paths))
            assert response.status_code == 200
            latencies.append(time.perf_counter() - started)

    async with uncommitted_reading(db, url, tenant=1):
        started = time.perf_counter()
        streams = asyncio.gather(http_stream(), websocket_stream())
        await asyncio.gather(streams, *(ordinary_requests(streams) for _ in range(4)))
        elapsed = time.perf_counter() - started
    after = server.memory_kib()

    assert seen == {1: READINGS, 2: READINGS}
    assert len(latencies) > 0
    growth_mib = (after["VmHWM"] - before["VmRSS"]) / 1024
    assert growth_mib < RSS_GROWTH_BOUND_MIB, (before, after)
    # A safety bound only (speed is the benchmarks' business): requests are served at all.
    assert max(latencies) < 30
    await assert_clean(client, db, url)
    report(f"streams on {db}", rows_per_stream=READINGS, seconds=elapsed, rows_per_s=2 * READINGS / elapsed,
           rss_before_mib=before["VmRSS"] / 1024, rss_growth_mib=growth_mib, other_requests=len(latencies),
           other_p50_ms=percentile(latencies, 0.5) * 1000, other_p99_ms=percentile(latencies, 0.99) * 1000)


class uncommitted_reading:
    """A reading for ``tenant`` inserted in a transaction of another connection, kept open
    while the block runs and rolled back after it: no stream may see it."""

    def __init__(self, db, url, tenant):
        self.db, self.url, self.sql = db, url, reading_columns_line(tenant)

    async def __aenter__(self):
        if self.db == "postgresql":
            import asyncpg

            self.conn = await asyncpg.connect(self.url)
            self.transaction = self.conn.transaction()
            await self.transaction.start()
            await self.conn.execute(self.sql)
        elif self.db == "mysql":
            import asyncmy

            parsed = urllib.parse.urlsplit(self.url)
            self.conn = await asyncmy.connect(host=parsed.hostname, port=parsed.port or 3306,
                                              user=parsed.username or "root", password=parsed.password or "",
                                              db=parsed.path.lstrip("/"), autocommit=False)
            async with self.conn.cursor() as cur:
                await cur.execute(self.sql)
        else:
            path = urllib.parse.urlsplit(self.url).path
            self.conn = sqlite3.connect(path[1:], isolation_level=None)
            self.conn.execute("BEGIN")
            self.conn.execute(self.sql)
        return self

    async def __aexit__(self, *exc):
        if self.db == "postgresql":
            await self.transaction.rollback()
            await self.conn.close()
        elif self.db == "mysql":
            await self.conn.rollback()
            self.conn.close()
        else:
            self.conn.execute("ROLLBACK")
            self.conn.close()


async def test_client_leaving_mid_stream_stops_the_server_reading(shop_database, server, client):
    """A client that reads a few rows and closes its connection: within a second the server's
    stream has stopped (its own record says when), it reads no more rows, and the pool and
    the sessions are clean."""
    db, url = shop_database
    async with client.stream("GET", "/tenants/1/readings.ndjson", params={"label": "leaver"}) as response:
        assert response.status_code == 200
        read = 0
        async for _ in response.aiter_lines():
            read += 1
            if read == 10:
                break
        closed_at = time.time()
    # Leaving the block closes the unfinished response's connection.

    async def stream_stopped():
        """the server's stream stopped"""
        [record] = [r for r in (await diagnostics(client))["streams"] if r["label"] == "leaver"]
        return record if record["stopped"] is not None else None

    record = await until(stream_stopped, timeout=10)
    assert not record["complete"] and record["rows"] < READINGS, record
    assert record["stopped"] - closed_at < 1.0, record
    await asyncio.sleep(0.5)
    [again] = [r for r in (await diagnostics(client))["streams"] if r["label"] == "leaver"]
    assert again["rows"] == record["rows"]
    if db == "postgresql":
        running = await query(db, url, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                       "AND state = 'active' AND query LIKE '%shop_reading%' AND pid <> pg_backend_pid()")
        assert running == [(0,)]
    elif db == "mysql":
        running = await query(db, url, "SELECT COUNT(*) FROM information_schema.processlist WHERE db = DATABASE() "
                                       "AND info LIKE '%shop_reading%' AND id <> CONNECTION_ID()")
        assert running == [(0,)]
    await assert_clean(client, db, url)
    report(f"leaving mid-stream on {db}", rows_read_by_server=record["rows"], rows_read_by_client=read,
           stopped_after_ms=(record["stopped"] - closed_at) * 1000)
