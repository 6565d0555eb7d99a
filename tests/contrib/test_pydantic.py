"""teapot.contrib.pydantic: ``Schema`` validates teapot instances by what is loaded, and
raises teapot's own ``AwaitRequired`` (never a wrapped ValidationError, never a query) for what
is not; ``schema_for()`` writes a schema of a model's columns."""

from __future__ import annotations

import datetime
import decimal

import pydantic
import pytest

from teapot.apps.registry import Apps
from teapot.contrib.pydantic import Schema, schema_for
from teapot.core.exceptions import ImproperlyConfigured
from teapot.db import models
from teapot.errors import AwaitRequired
from teapot.testing.queries import assert_num_queries
from tests.database.testapp.models import Author, Book, Event, Loan, Measure, Tag

pytestmark = pytest.mark.usefixtures("healthy_after")


class AuthorOut(Schema):
    id: int
    name: str


class TagOut(Schema):
    name: str


class BookOut(Schema):
    title: str
    author: AuthorOut


class BookWithTags(Schema):
    title: str
    tags: list[TagOut]


class AuthorWithBooks(Schema):
    name: str
    books: list[BookOut]


@pytest.fixture
async def dune():
    ann = await Author.objects.acreate(name="Ann", age=30)
    book = await Book.objects.acreate(title="Dune", author=ann, pages=412)
    await book.tags.aadd(await Tag.objects.acreate(name="sf"), await Tag.objects.acreate(name="classic"))
    return book


async def test_a_loaded_relation_validates_without_a_query(dune):
    book = await Book.objects.select_related("author").aget(pk=dune.pk)
    with assert_num_queries(0):
        out = BookOut.model_validate(book)
    assert out.model_dump() == {"title": "Dune", "author": {"id": dune.author_id, "name": "Ann"}}


async def test_a_relation_not_loaded_raises_await_required_itself(dune):
    book = await Book.objects.aget(pk=dune.pk)
    with assert_num_queries(0), pytest.raises(AwaitRequired, match=r"select_related\('author'\)"):
        BookOut.model_validate(book)


async def test_prefetched_to_many_relations_are_lists(dune):
    author = await Author.objects.prefetch_related("books__author").aget(pk=dune.author_id)
    book = await Book.objects.prefetch_related("tags").aget(pk=dune.pk)
    with assert_num_queries(0):
        assert AuthorWithBooks.model_validate(author).model_dump() == {
            "name": "Ann",
            "books": [{"title": "Dune", "author": {"id": dune.author_id, "name": "Ann"}}],
        }
        assert sorted(t.name for t in BookWithTags.model_validate(book).tags) == ["classic", "sf"]


@pytest.mark.parametrize(
    ("schema", "queryset", "name"),
    [(AuthorWithBooks, Author.objects, "books"), (BookWithTags, Book.objects, "tags")],
)
async def test_a_to_many_relation_not_prefetched_names_prefetch_related(dune, schema, queryset, name):
    instance = await queryset.aget(pk=dune.author_id if queryset.model is Author else dune.pk)
    with assert_num_queries(0), pytest.raises(AwaitRequired, match=rf"prefetch_related\('{name}'\)"):
        schema.model_validate(instance)


async def test_a_nested_instance_is_read_the_same_way(dune):
    # The author is loaded, the author's books are not: the inner schema raises.
    class BookAndShelf(Schema):
        title: str
        author: AuthorWithBooks

    book = await Book.objects.select_related("author").aget(pk=dune.pk)
    with pytest.raises(AwaitRequired, match=r"Author\.books is not loaded"):
        BookAndShelf.model_validate(book)


async def test_a_queryset_attribute_gives_its_rows_once_evaluated(dune):
    class AuthorWithLatest(Schema):
        name: str
        latest: list[BookOut]

    author = await Author.objects.aget(pk=dune.author_id)
    author.latest = Book.objects.select_related("author").filter(author=author)
    with pytest.raises(AwaitRequired, match="not evaluated"):
        AuthorWithLatest.model_validate(author)
    await author.latest
    assert [b.title for b in AuthorWithLatest.model_validate(author).latest] == ["Dune"]


async def test_aliases_defaults_and_missing_attributes_behave_as_pydantic_says(dune):
    class Aliased(Schema):
        heading: str = pydantic.Field(alias="title")
        subtitle: str = "none"

    class Missing(Schema):
        title: str
        isbn: str

    book = await Book.objects.aget(pk=dune.pk)
    assert Aliased.model_validate(book).model_dump() == {"heading": "Dune", "subtitle": "none"}
    with pytest.raises(pydantic.ValidationError) as caught:
        Missing.model_validate(book)
    assert [(e["type"], e["loc"]) for e in caught.value.errors()] == [("missing", ("isbn",))]


async def test_dicts_and_other_objects_are_validated_as_usual():
    assert AuthorOut.model_validate({"id": 1, "name": "Ann"}).name == "Ann"
    with pytest.raises(pydantic.ValidationError):
        AuthorOut.model_validate({"id": "x", "name": "Ann"})


async def test_schema_for_gives_the_models_columns(dune):
    BookRow = schema_for(Book)
    assert BookRow.__name__ == "BookSchema"
    assert issubclass(BookRow, Schema)
    assert list(BookRow.model_fields) == ["id", "title", "pages", "author_id", "data"]
    book = await Book.objects.aget(pk=dune.pk)
    assert BookRow.model_validate(book).model_dump() == {
        "id": dune.pk,
        "title": "Dune",
        "pages": 412,
        "author_id": dune.author_id,
        "data": {},
    }
    # max_length is carried over: a longer title is refused.
    with pytest.raises(pydantic.ValidationError, match="at most 200 characters"):
        BookRow.model_validate({**BookRow.model_validate(book).model_dump(), "title": "x" * 201})


async def test_schema_for_types_and_nullable_fields():
    MeasureRow = schema_for(Measure, name="MeasureOut")
    measure = await Measure.objects.acreate(value=decimal.Decimal("1.250"), ratio=0.5, at=None)
    row = MeasureRow.model_validate(await Measure.objects.aget(pk=measure.pk))
    assert (row.value, row.ratio, row.at) == (decimal.Decimal("1.250"), 0.5, None)
    assert MeasureRow.__name__ == "MeasureOut"
    LoanRow = schema_for(Loan)
    assert LoanRow.model_validate({"id": 1, "book_id": None, "lender_id": None}).book_id is None
    with pytest.raises(pydantic.ValidationError):
        schema_for(Event).model_validate({"id": 1, "name": "x", "day": "not a day", "at": datetime.datetime.now()})


async def test_schema_for_picks_and_excludes_fields_by_name_or_column():
    assert list(schema_for(Book, fields=["title", "author"]).model_fields) == ["title", "author_id"]
    assert list(schema_for(Book, fields=["author_id", "id"]).model_fields) == ["author_id", "id"]
    assert list(schema_for(Book, exclude=["data", "author_id"]).model_fields) == ["id", "title", "pages"]


async def test_schema_for_refuses_what_it_cannot_type():
    with pytest.raises(ImproperlyConfigured, match=r"Book has no concrete field 'tags', 'isbn'"):
        schema_for(Book, fields=["title", "tags", "isbn"])

    class Custom(models.Field):
        def get_internal_type(self):
            return "PointField"

    class Place(models.Model):
        where = Custom()

        class Meta:
            app_label = "pydantic_tests"
            apps = Apps()

    with pytest.raises(ImproperlyConfigured, match=r"Python type of Place\.where \(Custom\): exclude it"):
        schema_for(Place)
    assert list(schema_for(Place, exclude=["where"]).model_fields) == ["id"]
