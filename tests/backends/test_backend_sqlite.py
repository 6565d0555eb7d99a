"""The aiosqlite backend: the SQL functions Django registers on each connection, JSON, regex,
decimals, time zones, and foreign keys enforced by SQLite."""

import asyncio
import datetime
from decimal import Decimal

import pytest

from teapot.db import IntegrityError, OperationalError, connections, transaction
from teapot.db.models import Sum
from teapot.db.models.functions import ExtractHour, ExtractYear, Mod, Power, Sqrt, TruncDay
from tests.database.testapp.models import Author, Book, Measure, Tag

pytestmark = pytest.mark.usefixtures("tables")

UTC = datetime.timezone.utc


async def test_regex_lookups():
    await Author.objects.abulk_create([Author(name="Ann"), Author(name="Anna"), Author(name="Bob")])
    assert await Author.objects.filter(name__regex=r"^An+$").values_list("name", flat=True) == ["Ann"]
    assert await Author.objects.filter(name__iregex=r"^b").values_list("name", flat=True) == ["Bob"]


async def test_json_key_lookups_and_round_trip():
    ann = await Author.objects.create(name="Ann")
    await Book.objects.create(title="Dune", author=ann, data={"genre": "sf", "tags": ["desert"], "n": 2})
    await Book.objects.create(title="Emma", author=ann, data={"genre": "novel"})
    assert await Book.objects.filter(data__genre="sf").values_list("title", flat=True) == ["Dune"]
    assert await Book.objects.filter(data__has_key="tags").count() == 1
    assert await Book.objects.filter(data__n__gt=1).count() == 1
    dune = await Book.objects.get(title="Dune")
    assert dune.data == {"genre": "sf", "tags": ["desert"], "n": 2}


async def test_decimals_stay_exact():
    await Measure.objects.abulk_create([Measure(value=Decimal("0.100")), Measure(value=Decimal("0.200"))])
    total = (await Measure.objects.aggregate(total=Sum("value")))["total"]
    assert total == Decimal("0.300")
    first = await Measure.objects.order_by("pk").afirst()
    assert first.value == Decimal("0.100") and isinstance(first.value, Decimal)


async def test_math_functions_registered_on_the_connection():
    await Measure.objects.acreate(value=Decimal("9"), ratio=2.0)
    row = await Measure.objects.annotate(
        root=Sqrt("ratio"), squared=Power("ratio", 2), rest=Mod("value", 4)
    ).aget()
    assert row.root == pytest.approx(2.0**0.5)
    assert row.squared == pytest.approx(4.0)
    assert row.rest == Decimal("1")


async def test_datetimes_are_aware_and_extract_and_trunc_in_utc():
    at = datetime.datetime(2024, 3, 5, 22, 30, tzinfo=UTC)
    await Measure.objects.acreate(value=Decimal("1"), at=at)
    row = await Measure.objects.annotate(year=ExtractYear("at"), hour=ExtractHour("at"), day=TruncDay("at")).aget()
    assert row.at == at and row.at.tzinfo is not None
    assert (row.year, row.hour) == (2024, 22)
    assert row.day == datetime.datetime(2024, 3, 5, tzinfo=UTC)
    assert await Measure.objects.filter(at__date=datetime.date(2024, 3, 5)).count() == 1


async def test_foreign_keys_are_enforced():
    with pytest.raises(IntegrityError):
        async with transaction.atomic():
            await Book.objects.acreate(title="Orphan", author_id=999)
    assert await Book.objects.count() == 0


async def _hold_a_write_transaction(started: asyncio.Event, seconds: float):
    async with transaction.atomic():
        await Author.objects.acreate(name="held")
        started.set()
        await asyncio.sleep(seconds)


async def test_a_write_waits_for_another_tasks_write_transaction():
    # The in-memory test database's connections share one cache, whose table locks fail at
    # once instead of waiting: the second writer must wait as on a file database.
    started = asyncio.Event()
    holder = asyncio.create_task(_hold_a_write_transaction(started, 0.2))
    await started.wait()
    await Author.objects.acreate(name="second")
    await holder
    assert sorted(await Author.objects.values_list("name", flat=True)) == ["held", "second"]


async def test_a_read_waits_for_another_tasks_uncommitted_write():
    started = asyncio.Event()
    holder = asyncio.create_task(_hold_a_write_transaction(started, 0.2))
    await started.wait()
    assert await Author.objects.acount() == 1  # read once the writer committed
    await holder


async def test_a_lock_held_past_the_timeout_is_an_operational_error():
    started = asyncio.Event()
    holder = asyncio.create_task(_hold_a_write_transaction(started, 1.0))
    await started.wait()
    options = connections["default"].settings_dict["OPTIONS"]
    options["timeout"] = 0.1
    try:
        with pytest.raises(OperationalError, match="locked"):
            await Author.objects.acreate(name="second")
    finally:
        del options["timeout"]
    await holder
    assert await Author.objects.values_list("name", flat=True) == ["held"]


async def test_sql_flush_with_cascade_adds_the_tables_that_reference_them():
    from teapot.core.management.color import no_style

    ops = connections["default"].ops
    through = Book.tags.through._meta.db_table
    # Twice: the second call answers from the references kept by the first.
    for _ in range(2):
        statements = await ops.sql_flush(no_style(), [Tag._meta.db_table], allow_cascade=True)
        assert sorted(statements) == sorted(f'DELETE FROM "{table}";' for table in (Tag._meta.db_table, through))
    assert await ops.sql_flush(no_style(), [Tag._meta.db_table]) == [f'DELETE FROM "{Tag._meta.db_table}";']
