"""teapot.pagination: keyset pages walked forward and back over whole tables, in several
orderings and value types, with rows written between reads, and refused cursors."""

import base64
import datetime
import decimal
import json
import urllib.parse

import pytest

from teapot.core.exceptions import FieldDoesNotExist
from teapot.core.paginator import InvalidPage
from teapot.db import connection
from teapot.db.models import F
from teapot.pagination import InvalidCursor, KeysetPaginator
from teapot.testing.utils import CaptureQueriesContext
from tests.database.testapp.models import Author, Book, Event, Measure

pytestmark = pytest.mark.usefixtures("tables")

ROWS = 1000


async def make_books(n=ROWS):
    """Books whose pages and titles repeat (ties) in an order unrelated to their ids."""
    author = await Author.objects.create(name="Ann")
    await Book.objects.bulk_create(
        [Book(title=f"t{(i * 7) % 50:02}", pages=(i * 13) % 37, author=author) for i in range(n)]
    )
    return author


async def walk_forward(paginator, cursor=None):
    pages = []
    while True:
        async with CaptureQueriesContext(connection) as ctx:
            page = await paginator.page(cursor)
        (query,) = ctx.captured_queries  # one query per page...
        sql = query["sql"].upper()
        assert "OFFSET" not in sql  # ...that never skips rows by counting them
        assert f"LIMIT {paginator.per_page + 1}" in sql
        assert len(page) <= paginator.per_page
        pages.append(page)
        if not page.has_next():
            return pages
        cursor = page.next_cursor


async def walk_backward(paginator, page):
    pages = [page]
    while page.has_previous():
        page = await paginator.page(page.previous_cursor)
        pages.append(page)
    return pages[::-1]


def ids(pages):
    return [obj.pk for page in pages for obj in page.object_list]


@pytest.mark.parametrize(
    "ordering",
    [("pk",), ("-pk",), ("pages", "pk"), ("-pages",), ("pages", "-title"), ("-pages", "title", "-pk")],
)
async def test_walking_a_whole_table_forward_and_back_sees_each_row_once_in_order(ordering):
    await make_books()
    paginator = KeysetPaginator(Book.objects.all(), per_page=45, ordering=ordering)
    expected = [book.pk for book in await Book.objects.order_by(*paginator.ordering)]
    assert len(set(expected)) == ROWS

    forward = await walk_forward(paginator)
    assert ids(forward) == expected
    assert [len(page) for page in forward] == [45] * 22 + [10]
    assert not forward[0].has_previous() and forward[-1].has_next() is False

    backward = await walk_backward(paginator, forward[-1])
    assert ids(backward) == expected
    assert [page.object_list for page in backward] == [page.object_list for page in forward]


@pytest.mark.parametrize(
    "ordering, resolved",
    [
        (("pk",), ("id",)),
        (("pages",), ("pages", "id")),  # made total: the primary key, in the last field's direction
        (("-pages",), ("-pages", "-id")),
        (("pages", "-title"), ("pages", "-title", "-id")),
        (("author_id", "pk", "id"), ("author_id", "id")),  # a column named twice counts once
    ],
)
async def test_the_ordering_is_made_total(ordering, resolved):
    assert KeysetPaginator(Book.objects.all(), 10, ordering=ordering).ordering == resolved


async def test_the_ordering_defaults_to_the_querysets_then_the_models():
    assert KeysetPaginator(Book.objects.order_by("-pages"), 10).ordering == ("-pages", "-id")
    assert KeysetPaginator(Book.objects.all(), 10).ordering == ("id",)
    assert KeysetPaginator(Author.objects.all(), 10).ordering == ("name",)  # Meta.ordering, unique
    assert KeysetPaginator(Author.objects.order_by(), 10).ordering == ("id",)


async def test_a_unique_field_other_than_the_primary_key_ends_the_ordering():
    await Author.objects.bulk_create([Author(name=f"n{(i * 31) % 300:03}", age=i % 4) for i in range(300)])
    paginator = KeysetPaginator(Author.objects.all(), per_page=40, ordering=("-age", "name"))
    assert paginator.ordering == ("-age", "name")
    expected = [a.pk for a in await Author.objects.order_by("-age", "name")]
    forward = await walk_forward(paginator)
    assert ids(forward) == expected
    assert ids(await walk_backward(paginator, forward[-1])) == expected


async def test_filters_of_the_queryset_are_kept():
    await make_books(200)
    paginator = KeysetPaginator(Book.objects.filter(pages__lt=10), per_page=7, ordering=("-pages",))
    expected = [b.pk for b in await Book.objects.filter(pages__lt=10).order_by("-pages", "-pk")]
    assert 0 < len(expected) < 200
    assert ids(await walk_forward(paginator)) == expected


async def test_dates_datetimes_decimals_and_floats_round_trip_through_cursors():
    start = datetime.datetime(2024, 2, 29, 23, 59, 59, 999000, tzinfo=datetime.timezone.utc)
    await Event.objects.bulk_create(
        [
            Event(name=f"e{i % 3}", day=datetime.date(2024, 1, 1) + datetime.timedelta(days=i // 3),
                  at=start + datetime.timedelta(microseconds=1000 * (i % 17)))
            for i in range(120)
        ]
    )
    await Measure.objects.bulk_create(
        [Measure(value=decimal.Decimal(i % 23) / 8, ratio=(i % 11) / 3) for i in range(120)]
    )
    for queryset, ordering in [
        (Event.objects.all(), ("-day", "name")),
        (Event.objects.all(), ("at",)),
        (Measure.objects.all(), ("value", "-ratio")),
        (Measure.objects.all(), ("-ratio",)),
    ]:
        paginator = KeysetPaginator(queryset, per_page=9, ordering=ordering)
        expected = [obj.pk for obj in await queryset.order_by(*paginator.ordering)]
        forward = await walk_forward(paginator)
        assert ids(forward) == expected, ordering
        assert ids(await walk_backward(paginator, forward[-1])) == expected, ordering


async def test_rows_written_between_reads_are_neither_repeated_nor_skipped():
    author = await make_books(100)
    paginator = KeysetPaginator(Book.objects.all(), per_page=10, ordering=("pages",))
    first = await paginator.page()
    boundary = first[-1]
    # Sorts before the cursor (a page already read), at it, and after it.
    before = await Book.objects.create(title="before", pages=boundary.pages - 1, author=author)
    tied_after = await Book.objects.create(title="tied", pages=boundary.pages, author=author)
    after = await Book.objects.create(title="after", pages=36, author=author)
    await boundary.delete()  # the cursor's own row gone: the cursor still knows where it was

    rest = await walk_forward(paginator, first.next_cursor)
    seen = [b.pk for b in first] + ids(rest)
    assert len(seen) == len(set(seen))
    assert tied_after.pk in seen and after.pk in seen and before.pk not in seen
    current = {b.pk for b in await Book.objects.all()}
    assert set(seen) == (current - {before.pk}) | {boundary.pk}


async def test_an_empty_table_has_one_empty_page():
    page = await KeysetPaginator(Book.objects.all(), 10).page()
    assert (page.object_list, page.next_cursor, page.previous_cursor) == ([], None, None)
    assert not page.has_next() and not page.has_previous()


async def test_a_page_is_a_loaded_sequence():
    await make_books(5)
    page = await KeysetPaginator(Book.objects.all(), 3).page()
    async with CaptureQueriesContext(connection) as ctx:
        assert isinstance(page.object_list, list)
        assert len(page) == 3 and [b.pk for b in page] == [b.pk for b in page.object_list]
        assert page[0] is page.object_list[0]
        assert repr(page) == "<KeysetPage of 3 objects>"
    assert ctx.captured_queries == []


async def test_cursors_are_url_safe_and_opaque():
    author = await Author.objects.create(name="Ann")
    await Book.objects.bulk_create([Book(title=f"a title/with?&= {i}", pages=i, author=author) for i in range(4)])
    page = await KeysetPaginator(Book.objects.all(), 2, ordering=("-title",)).page()
    assert urllib.parse.quote(page.next_cursor, safe="") == page.next_cursor
    assert "title" not in page.next_cursor


# ---------------------------------------------------------------------------- refused cursors

def edited(cursor):
    """The cursor with its JSON changed (and re-encoded), its check left as it was."""
    body, check = cursor.split(".")
    direction, values = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    values[0] = str(int(values[0]) + 1)
    text = base64.urlsafe_b64encode(json.dumps([direction, values]).encode()).decode().rstrip("=")
    return f"{text}.{check}"


@pytest.fixture
async def cursor_and_paginator():
    await make_books(30)
    paginator = KeysetPaginator(Book.objects.all(), 10, ordering=("pages",))
    return (await paginator.page()).next_cursor, paginator


@pytest.mark.parametrize(
    "bad",
    ["", "abc", "!!!.###", "a.b.c", "e30", "\u00e9t\u00e9.x", b"bytes", 42, ["a", "b"]],
)
async def test_garbled_cursors_are_refused(cursor_and_paginator, bad):
    _, paginator = cursor_and_paginator
    with pytest.raises(InvalidCursor, match="not one this paginator makes|was edited"):
        await paginator.page(bad)


async def test_an_edited_cursor_is_refused(cursor_and_paginator):
    cursor, paginator = cursor_and_paginator
    assert len(await paginator.page(cursor)) == 10
    with pytest.raises(InvalidCursor, match="was edited"):
        await paginator.page(edited(cursor))
    body, check = cursor.split(".")
    flipped = check[:-1] + ("A" if check[-1] != "A" else "B")
    with pytest.raises(InvalidCursor, match="was edited"):
        await paginator.page(f"{body}.{flipped}")


async def test_a_cursor_of_another_ordering_or_model_is_refused(cursor_and_paginator):
    cursor, _ = cursor_and_paginator
    for other in (
        KeysetPaginator(Book.objects.all(), 10, ordering=("-pages",)),
        KeysetPaginator(Book.objects.all(), 10, ordering=("pages", "title")),
        KeysetPaginator(Measure.objects.all(), 10, ordering=("ratio",)),
    ):
        with pytest.raises(InvalidCursor, match="another ordering or model"):
            await other.page(cursor)
    # The page size is not part of what a cursor names.
    assert len(await KeysetPaginator(Book.objects.all(), 4, ordering=("pages",)).page(cursor)) == 4


async def test_a_secret_keys_the_check(cursor_and_paginator):
    unkeyed_cursor, _ = cursor_and_paginator
    keyed = KeysetPaginator(Book.objects.all(), 10, ordering=("pages",), secret="s3cret")
    with pytest.raises(InvalidCursor, match="was edited"):
        await keyed.page(unkeyed_cursor)
    cursor = (await keyed.page()).next_cursor
    assert len(await keyed.page(cursor)) == 10
    with pytest.raises(InvalidCursor, match="was edited"):
        await KeysetPaginator(Book.objects.all(), 10, ordering=("pages",), secret=b"other").page(cursor)


@pytest.mark.parametrize(
    "content, message",
    [
        (["n", ["x", "1"]], "value its field refuses"),  # pages is an integer
        (["n", ["1"]], "content is not valid"),  # one value for two fields
        (["n", [1, 2]], "content is not valid"),  # values are always strings
        (["sideways", ["1", "2"]], "content is not valid"),
        ({"n": 1}, "content is not valid"),
    ],
)
async def test_a_cursor_with_a_valid_check_but_wrong_content_is_refused(cursor_and_paginator, content, message):
    # Without a secret anyone can compute the check: the content is still validated.
    _, paginator = cursor_and_paginator
    body = json.dumps(content).encode()
    check = base64.urlsafe_b64encode(paginator._check(body)).decode().rstrip("=")
    crafted = f"{base64.urlsafe_b64encode(body).decode().rstrip('=')}.{check}"
    with pytest.raises(InvalidCursor, match=message) as caught:
        await paginator.page(crafted)
    assert isinstance(caught.value, InvalidPage)


# ---------------------------------------------------------------------------- refused orderings

@pytest.mark.parametrize(
    "queryset, ordering, error, message",
    [
        (Measure.objects.all(), ("at",), ValueError, "Measure.at is nullable"),
        (Book.objects.all(), ("author",), ValueError, "Order by 'author_id'"),
        (Book.objects.all(), ("author__name",), ValueError, "own fields"),
        (Book.objects.all(), ("?",), ValueError, "own fields"),
        (Book.objects.all(), (F("pages").desc(),), ValueError, "own fields"),
        (Book.objects.all(), ("tags",), ValueError, "not one column"),
        (Author.objects.all(), ("books",), ValueError, "not one column"),
        (Book.objects.all(), ("nope",), FieldDoesNotExist, "nope"),
    ],
)
def test_orderings_a_cursor_cannot_follow_are_refused(queryset, ordering, error, message):
    with pytest.raises(error, match=message):
        KeysetPaginator(queryset, 10, ordering=ordering)


def test_an_expression_in_the_querysets_ordering_is_refused():
    with pytest.raises(ValueError, match="own fields"):
        KeysetPaginator(Book.objects.order_by(F("pages").asc()), 10)


@pytest.mark.parametrize(
    "queryset, per_page, error, message",
    [
        (Book.objects.all()[:5], 10, TypeError, "not sliced"),
        (Book.objects.values("pk"), 10, TypeError, "model instances"),
        (Book.objects.all(), 0, ValueError, "positive integer"),
        (Book.objects.all(), "10", ValueError, "positive integer"),
    ],
)
def test_querysets_and_page_sizes_it_cannot_page_are_refused(queryset, per_page, error, message):
    with pytest.raises(error, match=message):
        KeysetPaginator(queryset, per_page)
