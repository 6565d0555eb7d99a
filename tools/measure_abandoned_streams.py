"""What abandoned streams cost a database server: the figures behind the streaming tests.

    python tools/measure_abandoned_streams.py postgresql://postgres@127.0.0.1/teapot_test
    python tools/measure_abandoned_streams.py mysql://root@127.0.0.1/teapot_test [--streams 20]

Twenty clients (``--streams``) each read 1,000 rows of a 100,000-row, 200-column stream and go
away, half by leaving the loop and running one more query, half by being cancelled in the
loop (a client that disconnected), while three tasks keep running small queries. Prints the server's CPU seconds from the moment
they all leave until it is idle, how long until no session still runs a stream, and the small
queries' median and worst latency. The server must run on this machine (its CPU time is read
from /proc). It creates and drops the table ``measure_abandoned_row``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import time

ROWS, COLUMNS, READ = 100_000, 200, 1_000


def server_cpu(vendor: str) -> float:
    names = {"postgres"} if vendor == "postgresql" else {"mariadbd", "mysqld"}
    ticks = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError):
            with open(f"/proc/{pid}/comm") as comm:
                if comm.read().strip() not in names:
                    continue
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


async def main(url: str, streams: int) -> None:
    import teapot
    from teapot.configure import parse_database_url

    # Room for every stream at once, and for the small queries beside them.
    pool = {"max_size": streams + 4, "timeout": 30}
    teapot.setup({"default": {**parse_database_url(url), "OPTIONS": {"pool": pool}}})
    from teapot.db import connection, models, transaction

    class Row(models.Model):
        n = models.IntegerField()

        class Meta:
            app_label = "measure_abandoned"

    vendor = connection.vendor

    async def drop_table():  # in a task of its own: the measured one may have broken its connection
        async with connection.cursor() as cursor:
            await cursor.execute("DROP TABLE IF EXISTS measure_abandoned_row")

    await asyncio.create_task(drop_table())
    async with connection.schema_editor() as editor:
        await editor.create_model(Row)
    try:
        async with connection.cursor() as cursor:
            if vendor == "postgresql":
                await cursor.execute(f"INSERT INTO measure_abandoned_row (n) SELECT i FROM generate_series(1, {ROWS}) i")
            else:
                await cursor.execute(f"INSERT INTO measure_abandoned_row (n) SELECT seq FROM seq_1_to_{ROWS}")
        columns = {f"c{i}": f"n + {i}" for i in range(COLUMNS)}
        wide = Row.objects.extra(select=columns).values_list(*columns).order_by("id")
        latencies: list[float] = []
        done = asyncio.Event()

        async def small_queries():
            while not done.is_set():
                started = time.perf_counter()
                await Row.objects.filter(n=7).acount()
                latencies.append(time.perf_counter() - started)
                await asyncio.sleep(0.01)

        read_enough = [asyncio.Event() for _ in range(streams)]
        abandon = asyncio.Event()

        async def client(index):
            # PostgreSQL inside atomic(): outside one, WITH HOLD computes the whole result first.
            in_atomic = vendor == "postgresql" or index % 4 < 2
            seen = 0
            async with transaction.atomic() if in_atomic else contextlib.nullcontext():
                async for _ in wide.iterator(chunk_size=500):
                    seen += 1
                    if seen == READ:
                        read_enough[index].set()
                        await abandon.wait()  # every client holds its stream until then
                        if index % 2:
                            break
                        await asyncio.sleep(3600)
            # The handler goes on (a log row, say) on the connection the stream used.
            await Row.objects.filter(n=1).acount()

        others = [asyncio.create_task(small_queries()) for _ in range(3)]
        await asyncio.sleep(0.5)
        baseline = list(latencies)
        latencies.clear()
        clients = [asyncio.create_task(client(i)) for i in range(streams)]
        for event in read_enough:
            await event.wait()
        await asyncio.sleep(0.5)  # the servers' socket buffers fill up; they wait to write
        cpu_start, abandoned = server_cpu(vendor), time.monotonic()
        abandon.set()
        for index in range(0, streams, 2):
            clients[index].cancel()
        await asyncio.gather(*clients, return_exceptions=True)
        clients_gone = time.monotonic() - abandoned
        marker = "n + 199"
        if vendor == "postgresql":
            busy_sql = f"SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%{marker}%' AND pid <> pg_backend_pid()"
        else:
            busy_sql = f"SELECT COUNT(*) FROM information_schema.processlist WHERE command <> 'Sleep' AND info LIKE '%{marker}%' AND id <> CONNECTION_ID()"
        while True:
            async with connection.cursor() as cursor:
                await cursor.execute(busy_sql)
                (busy,) = await cursor.fetchone()
            if not busy or time.monotonic() - abandoned > 120:
                break
            await asyncio.sleep(0.02)
        idle_after = time.monotonic() - abandoned
        cpu = server_cpu(vendor) - cpu_start
        await asyncio.sleep(1)
        done.set()
        await asyncio.gather(*others)
        print(f"{vendor}: {streams} streams of {ROWS:,} x {COLUMNS} abandoned after {READ:,} rows")
        print(f"  server CPU from the abandonment until idle: {cpu:.2f} s")
        print(f"  idle (no session streaming) {idle_after:.2f} s after the abandonment; the clients "
              f"were done after {clients_gone:.2f} s")
        print(f"  small queries: median {statistics.median(baseline) * 1e3:.1f} ms before, "
              f"{statistics.median(latencies) * 1e3:.1f} ms during, worst {max(latencies) * 1e3:.1f} ms")
    finally:
        await asyncio.create_task(drop_table())
        await teapot.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="postgresql://... or mysql://... (a server on this machine)")
    parser.add_argument("--streams", type=int, default=20)
    arguments = parser.parse_args()
    sys.exit(asyncio.run(main(arguments.url, arguments.streams)))
