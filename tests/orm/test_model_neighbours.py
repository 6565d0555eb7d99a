"""The model methods that read a neighbouring row are coroutines: get_next_by_FOO() and
get_previous_by_FOO() for each date field, get_next_in_order() and get_previous_in_order()
for a model ordered with respect to a relation."""

import datetime

import pytest

from teapot.db import connection
from teapot.testing.utils import CaptureQueriesContext
from tests.database.seed import insert
from tests.database.testapp.models import Author, Book, Chapter, Event

pytestmark = pytest.mark.usefixtures("tables")


async def make_events():
    """Five events; b and c share a day, so their primary keys break the tie."""
    await insert(
        Event,
        {"name": "a", "day": "2024-01-01", "at": "2024-01-01 09:00:00"},
        {"name": "b", "day": "2024-02-01", "at": "2024-02-01 09:00:00"},
        {"name": "c", "day": "2024-02-01", "at": "2024-01-15 09:00:00"},
        {"name": "d", "day": "2024-03-01", "at": "2024-03-01 09:00:00"},
        {"name": "x", "day": "2024-04-01", "at": "2024-04-01 09:00:00"},
    )
    return {e.name: e for e in await Event.objects.all()}


async def test_get_next_and_previous_by_a_date_field():
    events = await make_events()
    assert (await events["a"].get_next_by_day()).name == "b"
    assert (await events["b"].get_next_by_day()).name == "c"  # same day: the next primary key
    assert (await events["c"].get_next_by_day()).name == "d"
    assert (await events["d"].get_previous_by_day()).name == "c"
    assert (await events["c"].get_previous_by_day()).name == "b"
    assert (await events["b"].get_previous_by_day()).name == "a"
    # Another date field of the same model orders by its own values.
    assert (await events["a"].get_next_by_at()).name == "c"
    assert (await events["c"].get_next_by_at()).name == "b"


async def test_get_next_by_reads_one_row_and_takes_filters():
    events = await make_events()
    async with CaptureQueriesContext(connection) as ctx:
        found = await events["a"].get_next_by_day(name__in=["d", "x"])
    assert found.name == "d"
    assert len(ctx.captured_queries) == 1


async def test_get_next_by_at_either_end_and_on_an_unsaved_instance():
    events = await make_events()
    with pytest.raises(Event.DoesNotExist):
        await events["x"].get_next_by_day()
    with pytest.raises(Event.DoesNotExist):
        await events["a"].get_previous_by_day()
    with pytest.raises(Event.DoesNotExist):
        await events["a"].get_next_by_day(name="nobody")
    unsaved = Event(name="u", day=datetime.date(2024, 1, 1), at=datetime.datetime(2024, 1, 1))
    with pytest.raises(ValueError, match="unsaved objects"):
        await unsaved.get_next_by_day()


async def make_chapters():
    (ann,) = await insert(Author, {"name": "Ann", "age": 30})
    book = await Book.objects.create(title="Dune", author_id=ann)
    chapters = [await Chapter.objects.create(book=book, title=title) for title in ("one", "two", "three")]
    return book, chapters


async def test_get_next_and_previous_in_order():
    book, (one, two, three) = await make_chapters()
    assert (await one.get_next_in_order()).title == "two"
    assert (await two.get_next_in_order()).title == "three"
    assert (await three.get_previous_in_order()).title == "two"
    with pytest.raises(Chapter.DoesNotExist):
        await three.get_next_in_order()
    with pytest.raises(Chapter.DoesNotExist):
        await one.get_previous_in_order()


async def test_get_next_in_order_is_cached_on_the_instance():
    book, (one, two, three) = await make_chapters()
    first = await one.get_next_in_order()
    async with CaptureQueriesContext(connection) as ctx:
        second = await one.get_next_in_order()
    assert second is first and second.title == "two"
    assert len(ctx.captured_queries) == 0


async def test_changed_order_of_the_related_object():
    book, (one, two, three) = await make_chapters()
    assert list(await book.get_chapter_order()) == [one.pk, two.pk, three.pk]
    await book.set_chapter_order([three.pk, one.pk, two.pk])
    assert list(await book.get_chapter_order()) == [three.pk, one.pk, two.pk]
    fresh = await Chapter.objects.get(pk=one.pk)
    assert (await fresh.get_next_in_order()).title == "two"
    assert (await fresh.get_previous_in_order()).title == "three"
