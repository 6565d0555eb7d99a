"""The workload catalogue: what each workload is called, what it counts, the inputs of its
warm-up and timed calls, and the count a correct run returns.

Each system (bench/workloads_teapot.py, bench/workloads_raw/, bench/workloads_django.py)
implements a workload as a method of the same name that takes the inputs and returns a
count; bench/worker.py compares that count with ``expected``. Inputs come from a seeded
random generator seeded with the workload and the repetition, so every system of a
repetition gets the same ones. The warm-up gets inputs of its own (other ids, other rows, a
shorter read), so the timed call finds nothing the warm-up left in a cache of its own.
"""

from __future__ import annotations

import dataclasses
import functools
import random
from typing import Callable

from bench import rows
from bench.config import BOOKS_PER_AUTHOR, Sizes

DRIVER = "driver"  # teapot against the backend's raw async driver
ORM = "orm"  # teapot against Django's own sync ORM


@dataclasses.dataclass(frozen=True)
class Workload:
    name: str
    group: str
    unit: str  # what the throughput counts, per second
    operation: str  # what one "µs per operation" is
    inputs: Callable[[Sizes, random.Random], tuple[dict, dict]]  # (timed, warm-up)
    expected: Callable[[Sizes, dict], int]  # the count a correct call returns
    operations: Callable[[dict], int]
    rate_counts_rows: bool = False  # throughput is count/s (rows) instead of operations/s
    new_item_rows: Callable[[dict], int] | None = None  # rows a call adds to bench_item
    keeps_book_tags: bool = False  # check that bench_book_tags is as seeded afterwards
    measures_memory: bool = False

    @property
    def writes(self) -> bool:
        """Whether the orchestrator checks and cleans the tables after a measurement."""
        return self.new_item_rows is not None or self.keeps_book_tags


def distinct_ids(rng: random.Random, last: int, timed: int, warm_up: int) -> tuple[list, list]:
    chosen = rng.sample(range(1, last + 1), min(last, timed + warm_up))
    return chosen[:timed], chosen[timed:]


def qty_ranges(sizes: Sizes, rng: random.Random, count: int) -> list[int]:
    """Lower bounds ``lo`` of ``lo <= qty < lo + 10``."""
    return [rng.randrange(0, sizes.qty_values - 9) for _ in range(count)]


@functools.lru_cache(maxsize=None)
def rows_per_qty(sizes: Sizes) -> tuple[int, ...]:
    counts = [0] * sizes.qty_values
    for item_id in range(1, sizes.item_rows + 1):
        counts[sizes.qty_of(item_id)] += 1
    return tuple(counts)


def rows_in_qty_range(sizes: Sizes, lo: int, width: int = 10) -> int:
    return sum(rows_per_qty(sizes)[lo:lo + width])


def qty_queries(timed: int, warm_up: int):
    """Inputs of ``timed`` (scaled) and ``warm_up`` queries over qty ranges of width 10."""

    def make(sizes: Sizes, rng: random.Random):
        return {"los": qty_ranges(sizes, rng, sizes.scaled(timed))}, {"los": qty_ranges(sizes, rng, warm_up)}

    return make


def rows_in_qty_ranges(sizes: Sizes, inputs: dict) -> int:
    return sum(rows_in_qty_range(sizes, lo) for lo in inputs["los"])


# --- teapot against the raw drivers -------------------------------------------------------


def get_by_pk_inputs(sizes, rng):
    timed, warm = distinct_ids(rng, sizes.item_rows, sizes.scaled(2000), 50)
    return {"ids": timed}, {"ids": warm}


def new_rows_inputs(full: int, warm_up: int):
    """Rows to insert; the warm-up's get other names and values than the timed call's."""

    def make(sizes, rng):
        count = sizes.scaled(full)
        return (
            {"rows": rows.new_items(1_000_000, count, sizes.qty_values)},
            {"rows": rows.new_items(2_000_000, warm_up, sizes.qty_values)},
        )

    return make


def wide_inputs(sizes, rng):
    """The timed call reads every row; the warm-up a few hundred, in small chunks so that it
    goes through more than one."""
    return (
        {"max_id": sizes.wide_rows, "chunk_size": sizes.chunk_size},
        {"max_id": min(300, sizes.wide_rows), "chunk_size": 100},
    )


CONCURRENT_TASKS = 50


def concurrent_inputs(sizes, rng):
    per_task = sizes.scaled(40)
    ids = [[rng.randint(1, sizes.item_rows) for _ in range(per_task)] for _ in range(CONCURRENT_TASKS)]
    # The warm-up: one lookup per task, which also opens the pool's connections.
    warm = [[rng.randint(1, sizes.item_rows)] for _ in range(CONCURRENT_TASKS)]
    return {"ids_per_task": ids}, {"ids_per_task": warm}


def transaction_inputs(sizes, rng):
    count = sizes.scaled(500)
    return (
        {"pairs": [rows.new_items(3_000_000 + 2 * n, 2, sizes.qty_values) for n in range(count)]},
        {"pairs": [rows.new_items(4_000_000 + 2 * n, 2, sizes.qty_values) for n in range(10)]},
    )


def count_of(key: str) -> Callable[[Sizes, dict], int]:
    """``expected``: one per element of ``inputs[key]``."""
    return lambda sizes, inputs: len(inputs[key])


def length_of(key: str, times: int = 1) -> Callable[[dict], int]:
    """``operations`` (or ``new_item_rows``): ``times`` per element of ``inputs[key]``."""
    return lambda inputs: times * len(inputs[key])


def wide_rows_read(sizes, inputs):
    return inputs["max_id"]


def lookups(inputs):
    return sum(map(len, inputs["ids_per_task"]))


DRIVER_WORKLOADS = [
    Workload("get_by_pk", DRIVER, unit="ops/s", operation="lookup", inputs=get_by_pk_inputs,
             expected=count_of("ids"), operations=length_of("ids")),
    Workload("filter_100", DRIVER, unit="rows/s", operation="query", inputs=qty_queries(300, 10),
             expected=rows_in_qty_ranges, operations=length_of("los"), rate_counts_rows=True),
    Workload("create_one", DRIVER, unit="ops/s", operation="insert", inputs=new_rows_inputs(1000, 20),
             expected=count_of("rows"), operations=length_of("rows"), new_item_rows=length_of("rows")),
    Workload("bulk_create_10k", DRIVER, unit="rows/s", operation="row", inputs=new_rows_inputs(10_000, 100),
             expected=count_of("rows"), operations=length_of("rows"), rate_counts_rows=True,
             new_item_rows=length_of("rows")),
    Workload("stream_wide", DRIVER, unit="rows/s", operation="row", inputs=wide_inputs,
             expected=wide_rows_read, operations=lambda i: i["max_id"], rate_counts_rows=True,
             measures_memory=True),
    Workload("fetch_wide_all", DRIVER, unit="rows/s", operation="row", inputs=wide_inputs,
             expected=wide_rows_read, operations=lambda i: i["max_id"], rate_counts_rows=True,
             measures_memory=True),
    Workload("concurrent_get", DRIVER, unit="ops/s", operation="lookup", inputs=concurrent_inputs,
             expected=lambda sizes, i: lookups(i), operations=lookups),
    Workload("transaction_2writes", DRIVER, unit="tx/s", operation="transaction", inputs=transaction_inputs,
             expected=count_of("pairs"), operations=length_of("pairs"), new_item_rows=length_of("pairs", 2)),
]


# --- teapot against Django's sync ORM ------------------------------------------------------

BOOK_WINDOW = 20  # books per select_related / prefetch_related query
AUTHOR_WINDOW = 10  # authors per annotate query
IN_BULK_IDS = 20


def book_windows(timed: int, warm_up: int):
    def make(sizes, rng):
        def los(count):
            return [rng.randint(1, sizes.books - BOOK_WINDOW + 1) for _ in range(count)]

        return {"los": los(sizes.scaled(timed))}, {"los": los(warm_up)}

    return make


def author_windows(sizes, rng):
    def los(count):
        return [rng.randint(1, sizes.authors - AUTHOR_WINDOW + 1) for _ in range(count)]

    return {"los": los(sizes.scaled(200))}, {"los": los(5)}


def qty_values_inputs(sizes, rng):
    def qtys(count):
        return [rng.randrange(0, sizes.qty_values) for _ in range(count)]

    return {"qtys": qtys(sizes.scaled(300))}, {"qtys": qtys(5)}


def update_inputs(sizes, rng):
    """The qty values to update, and a label that makes every written note new: InnoDB skips
    the write (and its log flush) of an UPDATE that changes nothing, so a system that
    wrote the notes the other one had just written would be measured doing less work."""
    timed, warm = qty_values_inputs(sizes, rng)
    label = f"{rng.getrandbits(32):08x}"
    return {**timed, "label": label}, {**warm, "label": label}


def rows_with_qty(sizes, inputs):
    return sum(rows_in_qty_range(sizes, qty, width=1) for qty in inputs["qtys"])


def exists_count_expected(sizes, inputs):
    """Each qty value: its count, plus 1 when exists() said yes."""
    return sum(n + (n > 0) for n in (rows_in_qty_range(sizes, qty, width=1) for qty in inputs["qtys"]))


def in_bulk_inputs(sizes, rng):
    def id_lists(count):
        return [rng.sample(range(1, sizes.item_rows + 1), IN_BULK_IDS) for _ in range(count)]

    return {"id_lists": id_lists(sizes.scaled(300))}, {"id_lists": id_lists(5)}


def m2m_inputs(sizes, rng):
    """Books and a tag each one does not have yet: add() it, then remove() it again."""

    def pairs(count):
        books = rng.sample(range(1, sizes.books + 1), count)
        return [(book, (book + sizes.tags // 2) % sizes.tags + 1) for book in books]

    timed = pairs(sizes.scaled(200) + 5)
    return {"pairs": timed[5:]}, {"pairs": timed[:5]}


ORM_WORKLOADS = [
    Workload("select_related", ORM, unit="queries/s", operation="query", inputs=book_windows(300, 5),
             expected=lambda sizes, i: BOOK_WINDOW * len(i["los"]), operations=length_of("los")),
    Workload("prefetch_related", ORM, unit="queries/s", operation="query (2 statements)",
             inputs=book_windows(200, 5), expected=lambda sizes, i: 2 * BOOK_WINDOW * len(i["los"]),
             operations=length_of("los")),
    Workload("values", ORM, unit="queries/s", operation="query", inputs=qty_queries(300, 5),
             expected=rows_in_qty_ranges, operations=length_of("los")),
    Workload("values_list", ORM, unit="queries/s", operation="query", inputs=qty_queries(300, 5),
             expected=rows_in_qty_ranges, operations=length_of("los")),
    Workload("annotate_count", ORM, unit="queries/s", operation="query", inputs=author_windows,
             expected=lambda sizes, i: AUTHOR_WINDOW * BOOKS_PER_AUTHOR * len(i["los"]),
             operations=length_of("los")),
    Workload("aggregate", ORM, unit="queries/s", operation="query", inputs=qty_queries(300, 5),
             expected=rows_in_qty_ranges, operations=length_of("los")),
    Workload("exists_count", ORM, unit="queries/s", operation="query", inputs=qty_values_inputs,
             expected=exists_count_expected, operations=length_of("qtys", 2)),
    Workload("update", ORM, unit="updates/s", operation="update", inputs=update_inputs,
             expected=rows_with_qty, operations=length_of("qtys")),
    Workload("in_bulk", ORM, unit="queries/s", operation="query", inputs=in_bulk_inputs,
             expected=lambda sizes, i: IN_BULK_IDS * len(i["id_lists"]), operations=length_of("id_lists")),
    Workload("m2m_add_remove", ORM, unit="ops/s", operation="add() or remove()", inputs=m2m_inputs,
             expected=lambda sizes, i: 2 * len(i["pairs"]), operations=length_of("pairs", 2),
             keeps_book_tags=True),
]

WORKLOADS = {w.name: w for w in DRIVER_WORKLOADS + ORM_WORKLOADS}


def inputs_for(workload: Workload, sizes: Sizes, repetition: int) -> tuple[dict, dict]:
    """The (timed, warm-up) inputs of one repetition: the same for every system."""
    return workload.inputs(sizes, random.Random(f"{workload.name}:{repetition}"))
