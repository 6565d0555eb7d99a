"""What leases cost and what they buy, on one database:

1. one lease: taking an idle connection from the pool and giving it back clean, as a
   statement outside a transaction does around its work, in µs (median of 5 runs of
   100,000 leases; nothing is sent to the server);
2. 30 requests that each run one query and then await something else for 1 s, on a pool of
   10 connections: the wall time, with the pool's connections still to open (cold) and open.

    python tools/measure_leases.py [DATABASE_URL]   (default: sqlite://:memory:)
"""

import asyncio
import statistics
import sys
import time

import teapot

LEASES = 100_000


async def lease_cost(connection) -> str:
    await connection.ensure_connection()  # the pool opens its connection once
    connection.release_if_idle()
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(LEASES):
            await connection.ensure_connection()
            connection.release_if_idle()
        runs.append((time.perf_counter() - started) / LEASES * 1e6)
    return f"one lease (take + give back): {statistics.median(runs):.2f} µs (runs: {', '.join(f'{r:.2f}' for r in runs)})"


async def query_then_wait():
    from teapot.db import connections

    async with connections["requests"].cursor() as cursor:  # this task's wrapper
        await cursor.execute("SELECT 1")
        await cursor.fetchall()
    await asyncio.sleep(1)  # an HTTP call, say: no connection is held meanwhile


async def thirty_requests() -> str:
    times = []
    for _ in ("cold", "warm"):
        started = time.monotonic()
        await asyncio.gather(*(asyncio.create_task(query_then_wait()) for _ in range(30)))
        times.append(time.monotonic() - started)
    return f"30 x (query + 1 s wait) on a pool of 10: {times[0]:.2f} s cold, {times[1]:.2f} s warm"


async def main(url: str) -> None:
    teapot.setup({"default": url, "requests": url})
    from teapot.db import connections

    print(url.split(":", 1)[0])
    # The task's wrapper, as the compiler holds it (the `connection` proxy adds a lookup).
    print(" ", await lease_cost(connections["default"]))
    print(" ", await thirty_requests())
    await teapot.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "sqlite://:memory:"))
