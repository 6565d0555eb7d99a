"""What one lease costs: taking an idle connection from the pool and giving it back clean,
as a statement outside a transaction does around its work, in µs (median of 5 runs of
100,000 leases). Nothing is sent to the server.

    python tools/measure_lease_cost.py [DATABASE_URL]   (default: sqlite://:memory:)
"""

import asyncio
import statistics
import sys
import time

import teapot

LEASES = 100_000


async def main(url: str) -> None:
    teapot.setup({"default": url})
    from teapot.db import connections

    connection = connections["default"]  # the task's wrapper, as the compiler holds it
    await connection.ensure_connection()  # the pool opens its connection once
    connection.release_if_idle()
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(LEASES):
            await connection.ensure_connection()
            connection.release_if_idle()
        runs.append((time.perf_counter() - started) / LEASES * 1e6)
    print(f"{url.split(':', 1)[0]}: one lease (take + give back) {statistics.median(runs):.2f} µs "
          f"(runs: {', '.join(f'{r:.2f}' for r in runs)})")
    await teapot.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "sqlite://:memory:"))
