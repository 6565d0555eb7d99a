"""Reads through the async QuerySet API: terminal methods, values, dates, expressions, raw, streaming."""

import datetime

import pytest

from teapot.db import connection
from teapot.db.models import Avg, Count, F, Max, OuterRef, Q, Subquery, Sum, Window
from teapot.db.models.functions import RowNumber
from tests.database.seed import insert
from tests.database.testapp.models import Author, Book, Event

pytestmark = pytest.mark.usefixtures("tables")

UTC = datetime.timezone.utc


async def make_authors():
    """Bob (20), Ann (30), Cid (40); returns their pks in that order."""
    return await insert(Author, {"name": "Bob", "age": 20}, {"name": "Ann", "age": 30}, {"name": "Cid", "age": 40})


async def make_events():
    await insert(
        Event,
        {"name": "a", "day": "2024-01-05", "at": "2024-01-05 09:00:00"},
        {"name": "b", "day": "2024-03-01", "at": "2024-03-01 08:00:00"},
        {"name": "c", "day": "2024-01-20", "at": "2024-01-05 23:00:00"},
    )


async def test_count_exists_contains():
    bob_pk, ann_pk, cid_pk = await make_authors()
    ann, bob = await Author.objects.get(pk=ann_pk), await Author.objects.get(pk=bob_pk)
    older = Author.objects.filter(age__gt=25)
    assert await older.count() == 2
    assert await older.exists() is True
    assert await Author.objects.filter(age__gt=99).exists() is False
    assert await older.contains(ann) is True
    assert await older.contains(bob) is False


async def test_aggregate():
    await make_authors()
    result = await Author.objects.aggregate(total=Sum("age"), avg=Avg("age"), top=Max("age"), n=Count("pk"))
    assert result == {"total": 90, "avg": 30.0, "top": 40, "n": 3}
    assert await Author.objects.filter(age__gt=99).aggregate(total=Sum("age")) == {"total": None}


async def test_in_bulk_by_ids_and_by_field_name():
    bob, ann, cid = await make_authors()
    by_pk = await Author.objects.in_bulk([ann, cid])
    assert set(by_pk) == {ann, cid} and by_pk[ann].name == "Ann"
    by_name = await Author.objects.in_bulk(["Bob", "Nobody"], field_name="name")
    assert list(by_name) == ["Bob"] and by_name["Bob"].pk == bob
    assert len(await Author.objects.in_bulk()) == 3
    assert await Author.objects.in_bulk([]) == {}


async def test_in_bulk_in_batches_past_the_parameter_limit(monkeypatch):
    # More ids than the database takes parameters (SQLite's 999): one query per batch.
    bob, ann, cid = await make_authors()
    monkeypatch.setattr(type(connection.features), "max_query_params", 2)
    found = await Author.objects.in_bulk([bob, ann, cid, 10**6])
    assert sorted(found) == sorted([bob, ann, cid]) and found[ann].name == "Ann"


async def test_first_and_last_respect_ordering():
    await make_authors()
    assert (await Author.objects.first()).name == "Ann"
    assert (await Author.objects.last()).name == "Cid"
    assert (await Author.objects.order_by("-age").first()).name == "Cid"
    assert (await Author.objects.order_by("-age").last()).name == "Bob"
    assert await Author.objects.filter(age__gt=99).first() is None


async def test_earliest_and_latest():
    await make_events()
    assert (await Event.objects.latest()).name == "b"
    assert (await Event.objects.earliest()).name == "a"
    assert (await Event.objects.latest("at")).name == "b"
    assert (await Event.objects.earliest("-day")).name == "b"
    with pytest.raises(Event.DoesNotExist):
        await Event.objects.filter(name="zzz").latest()


async def test_explain_returns_a_plan_string():
    await make_authors()
    plan = await Author.objects.filter(age__gt=25).explain()
    assert isinstance(plan, str) and "testapp_author" in plan


async def test_values_and_values_list():
    await make_authors()
    assert await Author.objects.values("name", "age") == [
        {"name": "Ann", "age": 30},
        {"name": "Bob", "age": 20},
        {"name": "Cid", "age": 40},
    ]
    assert await Author.objects.values_list("age", flat=True) == [30, 20, 40]
    assert await Author.objects.values_list("name", "age") == [("Ann", 30), ("Bob", 20), ("Cid", 40)]
    rows = await Author.objects.filter(age__lt=35).values_list("name", "age", named=True)
    assert [(r.name, r.age) for r in rows] == [("Ann", 30), ("Bob", 20)]


async def test_dates_and_datetimes():
    await make_events()
    assert await Event.objects.dates("day", "month") == [datetime.date(2024, 1, 1), datetime.date(2024, 3, 1)]
    assert await Event.objects.dates("day", "day", order="DESC") == [
        datetime.date(2024, 3, 1),
        datetime.date(2024, 1, 20),
        datetime.date(2024, 1, 5),
    ]
    assert await Event.objects.datetimes("at", "day") == [
        datetime.datetime(2024, 1, 5, tzinfo=UTC),
        datetime.datetime(2024, 3, 1, tzinfo=UTC),
    ]


async def test_annotate_with_f_and_q():
    bob, ann, cid = await make_authors()
    await insert(
        Book,
        {"title": "x", "pages": 50, "author_id": ann},
        {"title": "y", "pages": 300, "author_id": ann},
        {"title": "z", "pages": 200, "author_id": cid},
    )
    authors = await Author.objects.annotate(
        double=F("age") * 2, long_books=Count("books", filter=Q(books__pages__gt=100))
    ).order_by("name")
    assert [(a.name, a.double, a.long_books) for a in authors] == [("Ann", 60, 1), ("Bob", 40, 0), ("Cid", 80, 1)]
    either = Author.objects.filter(Q(age__lt=25) | Q(name="Cid"))
    assert await either.values_list("name", flat=True) == ["Bob", "Cid"]


async def test_subquery_with_outerref():
    bob, ann, cid = await make_authors()
    await insert(
        Book,
        {"title": "short", "pages": 50, "author_id": ann},
        {"title": "long", "pages": 300, "author_id": ann},
        {"title": "z", "pages": 1, "author_id": cid},
    )
    longest = Book.objects.filter(author=OuterRef("pk")).order_by("-pages").values("title")[:1]
    authors = await Author.objects.annotate(longest=Subquery(longest))
    assert [(a.name, a.longest) for a in authors] == [("Ann", "long"), ("Bob", None), ("Cid", "z")]


async def test_window_row_number():
    await make_authors()
    qs = Author.objects.annotate(rank=Window(RowNumber(), order_by=F("age").desc())).order_by("rank")
    assert [(a.name, a.rank) for a in await qs] == [("Cid", 1), ("Ann", 2), ("Bob", 3)]


async def test_raw_with_params_and_async_for():
    await make_authors()
    raw = Author.objects.raw("SELECT * FROM testapp_author WHERE age > %s ORDER BY age", [25])
    authors = [a async for a in raw]
    assert [(a.name, a.age) for a in authors] == [("Ann", 30), ("Cid", 40)]
    assert all(isinstance(a, Author) and a.pk is not None for a in authors)


async def test_iterator_and_aiterator_stream_in_chunks():
    await insert(Author, *({"name": f"a{i:03}", "age": i} for i in range(25)))
    ages = [a.age async for a in Author.objects.order_by("age").aiterator(chunk_size=7)]
    assert ages == list(range(25))
    names = [n async for n in Author.objects.filter(age__gte=20).values_list("name", flat=True).iterator(chunk_size=2)]
    assert names == ["a020", "a021", "a022", "a023", "a024"]


async def test_aiterator_checks_chunk_size_when_iterated():
    stream = Author.objects.aiterator(chunk_size=0)  # as upstream's async generator: no error yet
    with pytest.raises(ValueError, match="strictly positive"):
        async for _ in stream:
            pass


async def test_await_queryset_fills_the_cache():
    await make_authors()
    qs = Author.objects.all()
    result = await qs
    assert isinstance(result, list) and [a.name for a in result] == ["Ann", "Bob", "Cid"]
    async with connection.cursor() as cur:
        await cur.execute("DELETE FROM testapp_author")
    assert len(qs) == 3
    assert [a.name for a in await qs] == ["Ann", "Bob", "Cid"]
    assert [a.name async for a in qs] == ["Ann", "Bob", "Cid"]
    assert await qs.all().count() == 0
