"""The driver workloads with each backend's bare async driver: asyncpg, aiosqlite, asyncmy.

Each module does what bench/workloads_teapot.py does, the way the driver's own documentation
does it: the same statements (the columns teapot selects, the same ORDER BY), the same rows,
one connection, or a pool of config.POOL_SIZE for the concurrent workload."""

from __future__ import annotations

from bench import config, drivers, rows
from bench.config import Sizes

ITEM_SELECT = "SELECT id, name, qty, price, created, flag, note FROM bench_item"


def item_insert(backend: str) -> str:
    columns = ", ".join(rows.ITEM_COLUMNS)
    return f"INSERT INTO bench_item ({columns}) VALUES ({drivers.placeholders(backend, len(rows.ITEM_COLUMNS))})"


def wide_select(backend: str) -> str:
    names = ", ".join(["id", *rows.wide_columns(config.WIDE_COLUMNS)])
    return f"SELECT {names} FROM bench_wide WHERE id <= {drivers.marker(backend)} ORDER BY id"


def with_note(row: dict, note: str) -> dict:
    return {**row, "note": note}


class RawWorkloads:
    """What the three drivers' workload classes share: the statements built for the
    backend's placeholders, and rows turned into the driver's parameters."""

    backend = ""  # each subclass names its backend

    def __init__(self, backend: str, sizes: Sizes):
        self.sizes = sizes
        self.insert = item_insert(self.backend)
        self.wide_select = wide_select(self.backend)

    async def prepare(self, workload: str, inputs: dict) -> dict:
        return inputs

    def params(self, row: dict) -> tuple:
        return drivers.item_params(self.backend, row)


def workloads_class(backend: str):
    if backend == "postgresql":
        from bench.workloads_raw.postgresql import AsyncpgWorkloads

        return AsyncpgWorkloads
    if backend == "sqlite":
        from bench.workloads_raw.sqlite import AiosqliteWorkloads

        return AiosqliteWorkloads
    from bench.workloads_raw.mysql import AsyncmyWorkloads

    return AsyncmyWorkloads
