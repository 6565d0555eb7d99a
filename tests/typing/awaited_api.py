"""The public API as a type checker sees it, and as it runs.

Each claim is made twice: ``assert_type()`` for mypy (tests/typing/test_mypy.py checks this
file, and fails on any error in it) and ``assert isinstance(...)`` for the run
(tests/orm/test_typed_api.py runs these coroutines on each test database). A type that says
more than the run does fails one or the other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, assert_type

import teapot
from teapot.db import transaction
from teapot.db.backends.base.base import BaseDatabaseWrapper
from teapot.db.models import Manager, QuerySet, Sum
from teapot.db.models.query import RawQuerySet
from teapot.streams import RowStream
from tests.database.testapp.models import Author, Book, Loan, Tag

if TYPE_CHECKING:
    from teapot.db.models.fields.related_descriptors import ManyRelatedManager, RelatedManager


def is_list_of(value: object, cls: type) -> bool:
    return isinstance(value, list) and all(isinstance(item, cls) for item in value)


async def writes() -> None:
    ann = await Author.objects.create(name="Ann", age=30)
    assert_type(ann, Author)
    assert isinstance(ann, Author)

    bob, created = await Author.objects.get_or_create(name="Bob", defaults={"age": 20})
    assert_type(bob, Author)
    assert_type(created, bool)
    assert isinstance(bob, Author) and created is True

    cid, created = await Author.objects.update_or_create(name="Cid", defaults={"age": 40})
    assert_type(cid, Author)
    assert isinstance(cid, Author) and created is True

    books = await Book.objects.bulk_create([Book(title="Dune", author=ann), Book(title="Emma", author=bob)])
    assert_type(books, list[Book])
    assert is_list_of(books, Book) and len(books) == 2

    for book in books:
        book.pages = 100
    updated = await Book.objects.bulk_update(books, ["pages"])
    assert_type(updated, int)
    assert updated == 2

    changed = await Author.objects.filter(name="Cid").update(age=41)
    assert_type(changed, int)
    assert changed == 1

    ann.age = 31
    await ann.save()
    await ann.asave(update_fields=["age"])
    await ann.refresh_from_db()
    await ann.full_clean()
    assert ann.age == 31

    deleted = await cid.delete()
    assert_type(deleted, tuple[int, dict[str, int]])
    assert deleted == (1, {"testapp.Author": 1})

    gone = await Book.objects.filter(title="Emma").delete()
    assert_type(gone, tuple[int, dict[str, int]])
    assert isinstance(gone, tuple) and gone[0] >= 1


async def reads() -> None:
    ann = await Author.objects.create(name="Ann", age=30)
    await Book.objects.acreate(title="Dune", author=ann)

    found = await Author.objects.get(pk=ann.pk)
    assert_type(found, Author)
    assert isinstance(found, Author)
    assert_type(await Author.objects.aget(name="Ann"), Author)

    older = Author.objects.filter(age__gt=20)
    assert_type(older, QuerySet[Author])
    assert isinstance(older, QuerySet) and older.model is Author
    assert_type(older.exclude(name="Bob").order_by("name")[:10], QuerySet[Author])

    count = await older.count()
    assert_type(count, int)
    assert count == 1
    exists = await older.exists()
    assert_type(exists, bool)
    assert exists is True
    contains = await older.contains(ann)
    assert_type(contains, bool)
    assert contains is True

    first = await older.first()
    assert_type(first, Author | None)
    assert isinstance(first, Author)
    assert_type(await Author.objects.filter(age__gt=99).last(), Author | None)
    earliest = await Author.objects.earliest("name")
    assert_type(earliest, Author)
    assert isinstance(earliest, Author)

    totals = await Author.objects.aggregate(total=Sum("age"))
    assert_type(totals, dict[str, Any])
    assert totals == {"total": 30}
    by_pk = await Author.objects.in_bulk([ann.pk])
    assert_type(by_pk, dict[Any, Author])
    assert list(by_pk.values()) == [ann]

    rows = await older
    assert_type(rows, list[Author])
    assert is_list_of(rows, Author) and len(rows) == 1
    async for author in Author.objects.all():
        assert_type(author, Author)
        assert isinstance(author, Author)

    stream = Book.objects.select_related("author").iterator(chunk_size=100)
    assert_type(stream, RowStream[Book])
    assert isinstance(stream, RowStream)
    async with stream as books:
        async for book in books:
            assert_type(book, Book)
            assert isinstance(book, Book)

    values = await Author.objects.values("name")
    assert_type(values, list[Any])
    assert values == [{"name": "Ann"}]

    raw = Author.objects.raw("SELECT * FROM testapp_author")
    assert_type(raw, "RawQuerySet[Author]")  # not subscriptable at run time: see query.pyi
    assert_type(await raw, list[Author])
    async for author in raw:
        assert_type(author, Author)
        assert isinstance(author, Author)

    explained = await Author.objects.filter(name="Ann").explain()
    assert_type(explained, str)
    assert isinstance(explained, str) and explained


async def relations() -> None:
    ann = await Author.objects.create(name="Ann", age=30)
    # Relations that Django adds to a model class are Any until declared; declared, their
    # managers' methods are typed.
    books: RelatedManager[Book] = ann.books
    assert isinstance(books, Manager)
    dune = await books.create(title="Dune")
    assert_type(dune, Book)
    assert isinstance(dune, Book) and dune.author_id == ann.pk
    assert_type(await books.all(), list[Book])
    assert await books.count() == 1

    loans: RelatedManager[Loan] = dune.loans
    loan = await Loan.objects.create(lender=ann)
    await loans.add(loan)
    await loans.remove(loan)
    await loans.clear()

    tags: ManyRelatedManager[Tag] = dune.tags
    sf = await Tag.objects.create(name="sf")
    await tags.add(sf)
    assert_type(await tags.all(), list[Tag])
    assert await tags.acount() == 1
    await tags.set([sf])
    await tags.remove(sf)
    await tags.clear()
    assert await tags.count() == 0


@transaction.atomic
async def renamed(author: Author, name: str) -> Author:
    author.name = name
    await author.save(update_fields=["name"])
    return author


@transaction.atomic(durable=True)
async def created(name: str) -> Author:
    return await Author.objects.create(name=name, age=1)


async def transactions_and_tasks() -> None:
    async with transaction.atomic():
        ann = await Author.objects.create(name="Ann", age=30)
        transaction.on_commit(lambda: None)

    renamed_ann = await renamed(ann, "Anna")
    assert_type(renamed_ann, Author)
    assert renamed_ann.name == "Anna"
    bob = await created("Bob")
    assert_type(bob, Author)
    assert isinstance(bob, Author)

    results = await teapot.gather(Author.objects.order_by("name"), Author.objects.acount())
    assert_type(results, list[Any])
    assert results == [[ann, bob], 2]

    async with teapot.connection() as conn:
        assert_type(conn, BaseDatabaseWrapper)
        assert isinstance(conn, BaseDatabaseWrapper)


# Checked by mypy only: configuring and closing belong to a process, not to a test.
def configure() -> None:
    teapot.setup("sqlite:///app.db", installed_apps=["myapp"], time_zone="UTC", debug=True)
    teapot.setup({"default": "sqlite://:memory:", "other": {"ENGINE": "teapot.backends.aiosqlite", "NAME": ":memory:"}})


async def shutdown() -> None:
    await teapot.close()
