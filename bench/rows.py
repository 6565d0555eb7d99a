"""The rows the tables are seeded with and the rows the write workloads insert, as plain
Python values (each system converts them the way it must: teapot and Django through the
models' fields, the raw drivers in bench/drivers.py). Every value follows from a row's id,
so any process can tell what a row holds."""

from __future__ import annotations

import datetime
import decimal

EPOCH = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
ITEM_COLUMNS = ("name", "qty", "price", "created", "flag", "note")


def item(item_id: int, qty: int, note: str | None = None) -> dict:
    """A bench_item row (without its id)."""
    return {
        "name": f"item-{item_id}",
        "qty": qty,
        "price": decimal.Decimal(item_id % 100_000) / 100,
        "created": EPOCH + datetime.timedelta(seconds=item_id * 37, microseconds=item_id % 1000),
        "flag": item_id % 2 == 0,
        "note": note,
    }


def new_items(first: int, count: int, qty_values: int) -> list[dict]:
    """Rows for the write workloads; ``first`` keeps the warm-up's rows apart from the timed ones."""
    return [item(first + i, (first + i) % qty_values) for i in range(count)]


def wide_column_kind(column: int) -> str:
    """bench_wide's columns c1..c200 cycle through integer, varchar(64) and double."""
    return ("double", "int", "varchar")[column % 3]


def wide_columns(count: int) -> list[str]:
    return [f"c{column}" for column in range(1, count + 1)]


def wide_row(row_id: int, columns: int) -> tuple:
    """A bench_wide row, its id first."""
    values = [row_id]
    for column in range(1, columns + 1):
        kind = wide_column_kind(column)
        if kind == "int":
            values.append(row_id * column % 1_000_003)
        elif kind == "varchar":
            values.append(f"row {row_id} column {column}")
        else:
            values.append(row_id / (column + 1))
    return tuple(values)
