"""The driver workloads on asyncpg."""

from __future__ import annotations

import asyncio

import asyncpg

from bench import config, drivers
from bench.config import Sizes
from bench.workloads_raw import ITEM_SELECT, RawWorkloads, with_note

BY_PK = ITEM_SELECT + " WHERE id = $1"
BY_QTY_RANGE = ITEM_SELECT + " WHERE qty >= $1 AND qty < $2 ORDER BY id"


class AsyncpgWorkloads(RawWorkloads):
    backend = "postgresql"

    def __init__(self, backend: str, sizes: Sizes):
        super().__init__(backend, sizes)
        self.insert_returning = self.insert + " RETURNING id"

    async def start(self, workload: str) -> None:
        self.conn = await drivers.connect("postgresql")
        self.pool = None
        if workload == "concurrent_get":
            # Opened as the warm-up needs them, like teapot's pool (min_size 0).
            self.pool = await asyncpg.create_pool(min_size=0, max_size=config.POOL_SIZE, **drivers.postgresql_params())

    async def stop(self) -> None:
        if self.pool is not None:
            await self.pool.close()
        await self.conn.close()

    async def get_by_pk(self, inputs: dict) -> int:
        found = 0
        for pk in inputs["ids"]:
            found += (await self.conn.fetchrow(BY_PK, pk))["id"] == pk
        return found

    async def filter_100(self, inputs: dict) -> int:
        rows = 0
        for lo in inputs["los"]:
            rows += len(await self.conn.fetch(BY_QTY_RANGE, lo, lo + 10))
        return rows

    async def create_one(self, inputs: dict) -> int:
        created = 0
        for row in inputs["rows"]:
            created += await self.conn.fetchval(self.insert_returning, *self.params(row)) > self.sizes.item_rows
        return created

    async def bulk_create_10k(self, inputs: dict) -> int:
        records = [self.params(row) for row in inputs["rows"]]
        async with self.conn.transaction():
            await self.conn.executemany(self.insert, records)
        return len(records)  # executemany reports nothing: the orchestrator counts the rows after

    async def stream_wide(self, inputs: dict) -> int:
        rows = 0
        async with self.conn.transaction():
            async for _ in self.conn.cursor(self.wide_select, inputs["max_id"], prefetch=inputs["chunk_size"]):
                rows += 1
        return rows

    async def fetch_wide_all(self, inputs: dict) -> int:
        return len(await self.conn.fetch(self.wide_select, inputs["max_id"]))

    async def concurrent_get(self, inputs: dict) -> int:
        pool = self.pool

        async def lookups(ids):
            found = 0
            for pk in ids:
                found += (await pool.fetchrow(BY_PK, pk))["id"] == pk  # a connection per statement
            return found

        return sum(await asyncio.gather(*(lookups(ids) for ids in inputs["ids_per_task"])))

    async def transaction_2writes(self, inputs: dict) -> int:
        committed = 0
        for first, second in inputs["pairs"]:
            async with self.conn.transaction():
                parent = await self.conn.fetchval(self.insert_returning, *self.params(first))
                await self.conn.execute(self.insert, *self.params(with_note(second, str(parent))))
            committed += 1
        return committed
