"""Pickling querysets and model instances: an unevaluated queryset travels as its query and
queries when the copy is awaited; an evaluated one carries its rows; an instance keeps its
state, its deferred fields and the relations loaded with it."""

import pickle

import pytest

from teapot.db import connection
from teapot.db.models import Prefetch
from teapot.errors import AwaitRequired
from teapot.testing.utils import CaptureQueriesContext
from tests.database.seed import insert, tag_book
from tests.database.testapp.models import Author, Book, Tag

pytestmark = pytest.mark.usefixtures("tables")


def round_trip(value, protocol=pickle.DEFAULT_PROTOCOL):
    return pickle.loads(pickle.dumps(value, protocol))


async def make_library():
    """Ann (30) wrote Dune and Emma, Bob (20) wrote Ulysses; Dune is tagged "classic"."""
    ann, bob = await insert(Author, {"name": "Ann", "age": 30}, {"name": "Bob", "age": 20})
    dune, emma, ulysses = await insert(
        Book,
        {"title": "Dune", "author_id": ann},
        {"title": "Emma", "author_id": ann},
        {"title": "Ulysses", "author_id": bob},
    )
    (classic,) = await insert(Tag, {"name": "classic"})
    await tag_book(dune, classic)
    return ann, bob


@pytest.mark.parametrize("protocol", [pickle.DEFAULT_PROTOCOL, pickle.HIGHEST_PROTOCOL])
async def test_unevaluated_queryset_pickles_its_query_and_queries_when_awaited(protocol):
    await make_library()
    qs = Author.objects.filter(age__gt=10).order_by("-age")
    async with CaptureQueriesContext(connection) as pickling:
        data = pickle.dumps(qs, protocol)
    assert len(pickling.captured_queries) == 0
    # Pickling leaves the original as it was: still unevaluated.
    with pytest.raises(AwaitRequired):
        len(qs)
    # A row written after pickling is seen: the copy's query runs when it is awaited.
    await insert(Author, {"name": "Cid", "age": 40})
    restored = pickle.loads(data)
    assert "unevaluated" in repr(restored)
    async with CaptureQueriesContext(connection) as awaiting:
        rows = await restored
    assert len(awaiting.captured_queries) == 1
    assert [a.name for a in rows] == ["Cid", "Ann", "Bob"]
    assert len(restored) == 3  # the copy caches its rows as any queryset does
    assert [a.name for a in await qs] == ["Cid", "Ann", "Bob"]


async def test_evaluated_queryset_pickles_its_rows():
    await make_library()
    qs = Author.objects.order_by("name")
    names = [a.name for a in await qs]
    restored = round_trip(qs)
    await Author.objects.all().delete()  # the copy does not read the table again
    async with CaptureQueriesContext(connection) as ctx:
        assert [a.name for a in await restored] == names == ["Ann", "Bob"]
        assert len(restored) == 2 and restored[1].name == "Bob"
    assert len(ctx.captured_queries) == 0


async def test_unevaluated_values_and_named_values_list_querysets():
    await make_library()
    values = round_trip(Author.objects.values("name").order_by("name"))
    assert await values == [{"name": "Ann"}, {"name": "Bob"}]
    named = round_trip(Book.objects.values_list("title", "author__name", named=True).order_by("title"))
    rows = await named
    assert [(r.title, r.author__name) for r in rows] == [("Dune", "Ann"), ("Emma", "Ann"), ("Ulysses", "Bob")]
    # A named row is a namedtuple made for its queryset: it pickles too.
    assert round_trip(rows[0]) == ("Dune", "Ann")


async def test_unevaluated_queryset_with_related_lookups_and_a_filter_on_an_instance():
    ann, _ = await make_library()
    author = await Author.objects.get(pk=ann)
    qs = round_trip(Book.objects.filter(author=author).select_related("author").order_by("title"))
    books = await qs
    assert [b.title for b in books] == ["Dune", "Emma"]
    async with CaptureQueriesContext(connection) as ctx:
        assert {b.author.name for b in books} == {"Ann"}
    assert len(ctx.captured_queries) == 0


async def test_prefetch_related_before_and_after_evaluation():
    await make_library()
    # Unevaluated: the prefetch lookups travel with the query and run when the copy is awaited.
    qs = Book.objects.prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name"))).order_by("title")
    restored = round_trip(qs)
    async with CaptureQueriesContext(connection) as evaluating:
        books = await restored
    assert len(evaluating.captured_queries) == 2  # the books, then their tags
    # Evaluated: the prefetched rows travel with the instances.
    again = round_trip(restored)
    async with CaptureQueriesContext(connection) as reading:
        assert [[t.name for t in b.tags.all()] for b in again] == [["classic"], [], []]
    assert len(reading.captured_queries) == 0
    assert [b.title for b in books] == ["Dune", "Emma", "Ulysses"]


async def test_assigning_a_pickled_query_to_a_queryset():
    await make_library()
    query = round_trip(Author.objects.filter(name="Bob").query)
    qs = Author.objects.all()
    qs.query = query
    assert [a.age for a in await qs] == [20]


async def test_model_instance_keeps_its_state():
    ann, _ = await make_library()
    author = await Author.objects.get(pk=ann)
    restored = round_trip(author)
    assert restored == author and restored is not author
    assert (restored.name, restored.age) == ("Ann", 30)
    assert restored._state.db == "default" and restored._state.adding is False
    # Saved through the copy: an UPDATE of the same row, not a new one.
    restored.age = 31
    await restored.save()
    assert await Author.objects.count() == 2
    assert (await Author.objects.get(pk=ann)).age == 31
    # An unsaved instance stays unsaved.
    new = round_trip(Author(name="Dee"))
    assert new._state.adding is True and new.pk is None
    await new.save()
    assert new.pk is not None and await Author.objects.filter(name="Dee").exists()


async def test_model_instance_keeps_its_deferred_fields():
    ann, _ = await make_library()
    author = await Author.objects.defer("age").get(pk=ann)
    restored = round_trip(author, pickle.HIGHEST_PROTOCOL)
    assert restored.get_deferred_fields() == {"age"}
    assert restored.name == "Ann"
    with pytest.raises(AwaitRequired):
        restored.age
    await restored.refresh_from_db(fields=["age"])
    assert restored.age == 30 and restored.get_deferred_fields() == set()


async def test_model_instance_keeps_its_loaded_relations():
    ann, _ = await make_library()
    book = await Book.objects.select_related("author").get(title="Dune")
    author = await Author.objects.prefetch_related("books").get(pk=ann)
    restored_book, restored_author = round_trip(book), round_trip(author)
    async with CaptureQueriesContext(connection) as ctx:
        assert restored_book.author.name == "Ann"
        assert sorted(b.title for b in restored_author.books.all()) == ["Dune", "Emma"]
    assert len(ctx.captured_queries) == 0
    # A relation that was not loaded is still not loaded, and still awaitable.
    plain = round_trip(await Book.objects.get(title="Emma"))
    with pytest.raises(AwaitRequired):
        plain.author
    assert (await Author.objects.get(pk=plain.author_id)).name == "Ann"
