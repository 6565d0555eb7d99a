"""Model instance methods (refresh_from_db, full_clean) and Django's `a*` async aliases."""

import datetime

import pytest

from teapot.core.exceptions import ValidationError
from teapot.db import connection
from teapot.db.models import Sum
from tests.database.seed import insert
from tests.database.testapp.models import Author, Book, Event, Tag

pytestmark = pytest.mark.usefixtures("tables")


async def test_refresh_from_db_reloads_values():
    await insert(Author, {"name": "Ann", "age": 30})
    ann = await Author.objects.get(name="Ann")
    await Author.objects.filter(pk=ann.pk).update(age=31, name="Anna")
    assert ann.age == 30
    await ann.refresh_from_db(fields=["age"])
    assert (ann.name, ann.age) == ("Ann", 31)
    await ann.refresh_from_db()
    assert ann.name == "Anna"


async def test_refresh_from_db_of_deleted_row_raises_does_not_exist():
    await insert(Author, {"name": "Ann", "age": 0})
    ann = await Author.objects.get(name="Ann")
    async with connection.cursor() as cur:
        await cur.execute("DELETE FROM testapp_author")
    with pytest.raises(Author.DoesNotExist):
        await ann.refresh_from_db()


async def test_full_clean_reports_unique_field_violation():
    await insert(Author, {"name": "Ann", "age": 0})
    with pytest.raises(ValidationError) as info:
        await Author(name="Ann").full_clean()
    assert info.value.message_dict == {"name": ["Author with this Name already exists."]}
    await Author(name="Ann").full_clean(exclude=["name"])


async def test_full_clean_reports_unique_constraint_violation():
    day = datetime.date(2024, 1, 1)
    at = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    await insert(Event, {"name": "x", "day": "2024-01-01", "at": "2024-01-01 00:00:00"})
    with pytest.raises(ValidationError) as info:
        await Event(name="x", day=day, at=at).full_clean()
    assert info.value.message_dict == {"__all__": ["Event with this Name and Day already exists."]}
    await Event(name="x", day=datetime.date(2024, 1, 2), at=at).full_clean()


async def test_full_clean_passes_for_valid_and_existing_objects():
    await insert(Author, {"name": "Ann", "age": 0})
    ann = await Author.objects.get(name="Ann")
    assert await Author(name="Bob").full_clean() is None
    await ann.full_clean()
    with pytest.raises(ValidationError) as info:
        await Author(name="x" * 101).full_clean()
    assert list(info.value.message_dict) == ["name"]


async def test_alias_read_methods():
    bob, ann = await insert(Author, {"name": "Bob", "age": 2}, {"name": "Ann", "age": 3})
    assert (await Author.objects.aget(name="Ann")).pk == ann
    assert await Author.objects.acount() == 2
    assert (await Author.objects.afirst()).name == "Ann"
    assert await Author.objects.filter(age=3).aexists() is True
    assert await Author.objects.aaggregate(total=Sum("age")) == {"total": 5}
    assert (await Author.objects.ain_bulk(["Bob"], field_name="name"))["Bob"].pk == bob


async def test_alias_arefresh_from_db():
    await insert(Author, {"name": "Ann", "age": 1})
    ann = await Author.objects.aget(name="Ann")
    await Author.objects.filter(pk=ann.pk).aupdate(age=42)
    await ann.arefresh_from_db()
    assert ann.age == 42


async def test_alias_acreate_asave_adelete():
    ann = await Author.objects.acreate(name="Ann", age=1)
    assert (await Author.objects.aget(pk=ann.pk)).age == 1
    ann.age = 2
    await ann.asave()
    assert (await Author.objects.aget(pk=ann.pk)).age == 2
    assert await ann.adelete() == (1, {"testapp.Author": 1})
    assert await Author.objects.acount() == 0


async def test_alias_aget_or_create_and_aupdate_or_create():
    ann, created = await Author.objects.aget_or_create(name="Ann", defaults={"age": 1})
    assert created is True
    same, created = await Author.objects.aget_or_create(name="Ann")
    assert created is False and same.pk == ann.pk
    _, created = await Author.objects.aupdate_or_create(name="Ann", defaults={"age": 9})
    assert created is False and (await Author.objects.aget(pk=ann.pk)).age == 9


async def test_alias_abulk_create():
    authors = await Author.objects.abulk_create([Author(name="Bob"), Author(name="Ann")])
    assert all(a.pk is not None for a in authors)
    assert await Author.objects.values_list("name", flat=True) == ["Ann", "Bob"]


async def test_alias_aadd():
    (ann,) = await insert(Author, {"name": "Ann", "age": 1})
    await insert(Book, {"title": "A", "author_id": ann})
    await insert(Tag, {"name": "t"})
    book, tag = await Book.objects.aget(title="A"), await Tag.objects.aget(name="t")
    await book.tags.aadd(tag)
    assert await book.tags.acount() == 1
    assert await tag.books.values_list("title", flat=True) == ["A"]


async def test_conditional_unique_constraint_validation_queries():
    # validate() of a constraint with a condition checks the condition and an Exists() of the
    # conflicting rows on the database: a violation only where such a row exists.
    from teapot.db.models import Q, UniqueConstraint

    constraint = UniqueConstraint(fields=["name"], condition=Q(age__gt=0), name="adult_name_uniq")
    await Author.objects.acreate(name="Ann", age=3)
    await constraint.validate(Author, Author(name="Bob", age=3))
    await constraint.validate(Author, Author(name="Ann", age=0))  # outside the condition
    with pytest.raises(ValidationError):
        await constraint.validate(Author, Author(name="Ann", age=5))
