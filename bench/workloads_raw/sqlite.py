"""The driver workloads on aiosqlite (autocommit; BEGIN and COMMIT where a transaction is meant)."""

from __future__ import annotations

import asyncio

from bench import config, drivers
from bench.workloads_raw import ITEM_SELECT, RawWorkloads, with_note

BY_PK = ITEM_SELECT + " WHERE id = ?"
BY_QTY_RANGE = ITEM_SELECT + " WHERE qty >= ? AND qty < ? ORDER BY id"


class AiosqliteWorkloads(RawWorkloads):
    backend = "sqlite"

    async def start(self, workload: str) -> None:
        self.db = await drivers.connect("sqlite")
        self.idle = None
        if workload == "concurrent_get":
            # aiosqlite has no pool: a queue of connections is one.
            self.idle = asyncio.Queue()
            for _ in range(config.POOL_SIZE):
                self.idle.put_nowait(await drivers.connect("sqlite"))

    async def stop(self) -> None:
        while self.idle is not None and not self.idle.empty():
            await self.idle.get_nowait().close()
        await self.db.close()

    async def get_by_pk(self, inputs: dict) -> int:
        found = 0
        for pk in inputs["ids"]:
            (row,) = await self.db.execute_fetchall(BY_PK, (pk,))
            found += row[0] == pk
        return found

    async def filter_100(self, inputs: dict) -> int:
        rows = 0
        for lo in inputs["los"]:
            rows += len(await self.db.execute_fetchall(BY_QTY_RANGE, (lo, lo + 10)))
        return rows

    async def create_one(self, inputs: dict) -> int:
        created = 0
        for row in inputs["rows"]:
            async with self.db.execute(self.insert, self.params(row)) as cursor:
                created += cursor.lastrowid > self.sizes.item_rows
        return created

    async def bulk_create_10k(self, inputs: dict) -> int:
        records = [self.params(row) for row in inputs["rows"]]
        await self.db.execute("BEGIN")
        async with self.db.executemany(self.insert, records) as cursor:
            inserted = cursor.rowcount
        await self.db.execute("COMMIT")
        return inserted

    async def stream_wide(self, inputs: dict) -> int:
        rows = 0
        async with self.db.execute(self.wide_select, (inputs["max_id"],)) as cursor:
            while chunk := await cursor.fetchmany(inputs["chunk_size"]):
                rows += len(chunk)
        return rows

    async def fetch_wide_all(self, inputs: dict) -> int:
        return len(await self.db.execute_fetchall(self.wide_select, (inputs["max_id"],)))

    async def concurrent_get(self, inputs: dict) -> int:
        idle = self.idle

        async def lookups(ids):
            found = 0
            for pk in ids:
                db = await idle.get()  # a connection per statement
                try:
                    (row,) = await db.execute_fetchall(BY_PK, (pk,))
                finally:
                    idle.put_nowait(db)
                found += row[0] == pk
            return found

        return sum(await asyncio.gather(*(lookups(ids) for ids in inputs["ids_per_task"])))

    async def transaction_2writes(self, inputs: dict) -> int:
        committed = 0
        for first, second in inputs["pairs"]:
            await self.db.execute("BEGIN")
            async with self.db.execute(self.insert, self.params(first)) as cursor:
                parent = cursor.lastrowid
            await self.db.execute(self.insert, self.params(with_note(second, str(parent))))
            await self.db.execute("COMMIT")
            committed += 1
        return committed
