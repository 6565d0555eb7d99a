"""The driver workloads on asyncmy (autocommit; begin() and commit() where a transaction is meant)."""

from __future__ import annotations

import asyncio

import asyncmy
from asyncmy.cursors import SSCursor

from bench import config, drivers
from bench.workloads_raw import ITEM_SELECT, RawWorkloads, with_note

BY_PK = ITEM_SELECT + " WHERE id = %s"
BY_QTY_RANGE = ITEM_SELECT + " WHERE qty >= %s AND qty < %s ORDER BY id"


class AsyncmyWorkloads(RawWorkloads):
    backend = "mysql"

    async def start(self, workload: str) -> None:
        self.conn = await drivers.connect("mysql")
        self.pool = None
        if workload == "concurrent_get":
            # Opened as the warm-up needs them, like teapot's pool (min_size 0).
            self.pool = await asyncmy.create_pool(minsize=0, maxsize=config.POOL_SIZE, **drivers.mysql_params())

    async def stop(self) -> None:
        if self.pool is not None:
            self.pool.close()
            await self.pool.wait_closed()
        self.conn.close()

    async def get_by_pk(self, inputs: dict) -> int:
        found = 0
        async with self.conn.cursor() as cursor:
            for pk in inputs["ids"]:
                await cursor.execute(BY_PK, (pk,))
                found += (await cursor.fetchone())[0] == pk
        return found

    async def filter_100(self, inputs: dict) -> int:
        rows = 0
        async with self.conn.cursor() as cursor:
            for lo in inputs["los"]:
                await cursor.execute(BY_QTY_RANGE, (lo, lo + 10))
                rows += len(await cursor.fetchall())
        return rows

    async def create_one(self, inputs: dict) -> int:
        created = 0
        async with self.conn.cursor() as cursor:
            for row in inputs["rows"]:
                await cursor.execute(self.insert, self.params(row))
                created += cursor.lastrowid > self.sizes.item_rows
        return created

    async def bulk_create_10k(self, inputs: dict) -> int:
        records = [self.params(row) for row in inputs["rows"]]
        await self.conn.begin()
        async with self.conn.cursor() as cursor:
            inserted = await cursor.executemany(self.insert, records)
        await self.conn.commit()
        return inserted

    async def stream_wide(self, inputs: dict) -> int:
        rows = 0
        async with self.conn.cursor(SSCursor) as cursor:  # unbuffered: rows as they arrive
            await cursor.execute(self.wide_select, (inputs["max_id"],))
            while chunk := await cursor.fetchmany(inputs["chunk_size"]):
                rows += len(chunk)
        return rows

    async def fetch_wide_all(self, inputs: dict) -> int:
        async with self.conn.cursor() as cursor:
            await cursor.execute(self.wide_select, (inputs["max_id"],))
            return len(await cursor.fetchall())

    async def concurrent_get(self, inputs: dict) -> int:
        pool = self.pool

        async def lookups(ids):
            found = 0
            for pk in ids:
                async with pool.acquire() as conn, conn.cursor() as cursor:  # a connection per statement
                    await cursor.execute(BY_PK, (pk,))
                    found += (await cursor.fetchone())[0] == pk
            return found

        return sum(await asyncio.gather(*(lookups(ids) for ids in inputs["ids_per_task"])))

    async def transaction_2writes(self, inputs: dict) -> int:
        committed = 0
        async with self.conn.cursor() as cursor:
            for first, second in inputs["pairs"]:
                await self.conn.begin()
                await cursor.execute(self.insert, self.params(first))
                parent = cursor.lastrowid
                await cursor.execute(self.insert, self.params(with_note(second, str(parent))))
                await self.conn.commit()
                committed += 1
        return committed
