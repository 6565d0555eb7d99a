"""Reads and writes through the async QuerySet API."""

import pytest

from teapot.db import connection
from teapot.db.models import Sum
from teapot.errors import AwaitRequired
from tests.database.testapp.models import Author

pytestmark = pytest.mark.usefixtures("tables")


async def insert_authors(*rows):
    async with connection.cursor() as cur:
        for name, age in rows:
            await cur.execute("INSERT INTO testapp_author (name, age) VALUES (%s, %s)", [name, age])


async def test_schema_editor_created_the_table():
    assert "testapp_author" in await connection.introspection.table_names()


async def test_count_filter_and_await_queryset():
    await insert_authors(("Ann", 30), ("Bob", 20))
    assert await Author.objects.count() == 2
    older = await Author.objects.filter(age__gt=25)
    assert [a.name for a in older] == ["Ann"]


async def test_async_for_follows_ordering():
    await insert_authors(("Ann", 30), ("Bob", 20), ("Cid", 40))
    names = [a.name async for a in Author.objects.order_by("-age")]
    assert names == ["Cid", "Ann", "Bob"]


async def test_get_and_does_not_exist():
    await insert_authors(("Ann", 30))
    ann = await Author.objects.get(name="Ann")
    assert ann.age == 30
    with pytest.raises(Author.DoesNotExist):
        await Author.objects.get(name="Nobody")


async def test_get_multiple_objects_returned():
    await insert_authors(("Ann", 30), ("Bob", 30))
    with pytest.raises(Author.MultipleObjectsReturned):
        await Author.objects.get(age=30)


async def test_values_list_update_aggregate_exists():
    await insert_authors(("Ann", 30), ("Bob", 20))
    assert await Author.objects.values_list("name", flat=True) == ["Ann", "Bob"]
    assert await Author.objects.filter(name="Ann").update(age=31) == 1
    assert await Author.objects.aggregate(total=Sum("age")) == {"total": 51}
    assert await Author.objects.filter(age__lt=25).exists() is True
    assert await Author.objects.filter(age__gt=99).exists() is False


async def test_streaming_iterator_yields_every_row():
    await insert_authors(*[(f"a{i:03}", i) for i in range(250)])
    ages = [a.age async for a in Author.objects.order_by("age").iterator(chunk_size=100)]
    assert ages == list(range(250))


async def test_sync_protocols_on_unevaluated_queryset_name_the_awaitable():
    qs = Author.objects.all()
    with pytest.raises(AwaitRequired, match="await qs.count"):
        len(qs)
    with pytest.raises(AwaitRequired, match="exists"):
        bool(qs)
    with pytest.raises(AwaitRequired, match="async for"):
        list(qs)
    with pytest.raises(AwaitRequired, match=r"qs\[0:1\]"):
        qs[0]


async def test_sync_protocols_work_after_evaluation():
    await insert_authors(("Ann", 30), ("Bob", 20))
    qs = Author.objects.all()
    await qs
    assert len(qs) == 2 and bool(qs) and [a.name for a in qs] == ["Ann", "Bob"] and qs[1].name == "Bob"
