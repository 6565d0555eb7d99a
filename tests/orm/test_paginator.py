"""teapot.core.paginator: Django's page-number paginator with its counting and page reads
awaited; what reads the loaded count or rows stays sync."""

import warnings

import pytest

from teapot.core.paginator import (
    AsyncPage,
    AsyncPaginator,
    EmptyPage,
    InvalidPage,
    Page,
    PageNotAnInteger,
    Paginator,
    UnorderedObjectListWarning,
)
from teapot.db import connection
from teapot.errors import AwaitRequired
from teapot.testing.utils import CaptureQueriesContext
from tests.database.testapp.models import Author, Book

pytestmark = pytest.mark.usefixtures("tables")


async def make_authors(n):
    # Author's Meta.ordering is by name: a00, a01, ... sort as created.
    await Author.objects.bulk_create([Author(name=f"a{i:02}", age=i) for i in range(n)])
    return [f"a{i:02}" for i in range(n)]


def names(page):
    return [a.name for a in page.object_list]


async def test_count_is_one_count_query_and_then_cached():
    await make_authors(7)
    paginator = Paginator(Author.objects.all(), 3)
    async with CaptureQueriesContext(connection) as ctx:
        assert await paginator.acount() == 7
        assert await paginator.acount() == 7
        assert await paginator.anum_pages() == 3
    assert len(ctx.captured_queries) == 1
    assert "COUNT(" in ctx.captured_queries[0]["sql"].upper()
    # Known now: the sync properties answer without a query.
    assert (paginator.count, paginator.num_pages, list(paginator.page_range)) == (7, 3, [1, 2, 3])


async def test_reading_a_page_counts_once_and_reads_its_rows_in_one_query():
    expected = await make_authors(7)
    paginator = Paginator(Author.objects.all(), 3)
    async with CaptureQueriesContext(connection) as ctx:
        page = await paginator.page(2)
    assert len(ctx.captured_queries) == 2  # COUNT, then the page's rows
    assert isinstance(page.object_list, list)
    assert names(page) == expected[3:6]
    async with CaptureQueriesContext(connection) as ctx:
        last = await paginator.page(3)
    assert len(ctx.captured_queries) == 1  # the count is not read again
    assert names(last) == expected[6:]


async def test_count_before_it_is_known_names_the_awaitable():
    await make_authors(2)
    paginator = Paginator(Author.objects.all(), 1)
    for read in (lambda: paginator.count, lambda: paginator.num_pages, lambda: paginator.page_range,
                 lambda: paginator.validate_number(1)):
        with pytest.raises(AwaitRequired, match=r"await paginator\.acount\(\)"):
            read()
    await paginator.apage(1)
    assert paginator.validate_number(2) == 2


async def test_a_loaded_page_answers_synchronously():
    expected = await make_authors(7)
    paginator = Paginator(Author.objects.all(), 3)
    page = await paginator.page(2)
    async with CaptureQueriesContext(connection) as ctx:
        assert len(page) == 3
        assert page[0].name == expected[3] and [a.name for a in page[1:]] == expected[4:6]
        assert [a.name for a in page] == expected[3:6]
        assert (page.has_next(), page.has_previous(), page.has_other_pages()) == (True, True, True)
        assert (page.next_page_number(), page.previous_page_number()) == (3, 1)
        assert (page.start_index(), page.end_index()) == (4, 6)
        assert repr(page) == "<Page 2 of 3>"
    assert ctx.captured_queries == []
    first = await paginator.page(1)
    assert (first.has_previous(), first.start_index()) == (False, 1)
    with pytest.raises(EmptyPage):
        first.previous_page_number()


async def test_orphans_join_the_last_page():
    expected = await make_authors(23)
    paginator = Paginator(Author.objects.all(), 10, orphans=3)
    assert await paginator.anum_pages() == 2
    last = await paginator.page(2)
    assert names(last) == expected[10:]
    assert (last.start_index(), last.end_index(), last.has_next()) == (11, 23, False)
    # One more orphan than allowed makes a page of its own.
    assert await Paginator(Author.objects.all(), 10, orphans=2).anum_pages() == 3


async def test_allow_empty_first_page():
    allowed = Paginator(Author.objects.all(), 10)
    page = await allowed.page(1)
    assert (page.object_list, allowed.num_pages, page.start_index(), page.end_index()) == ([], 1, 0, 0)

    refused = Paginator(Author.objects.all(), 10, allow_empty_first_page=False)
    assert await refused.anum_pages() == 0
    with pytest.raises(EmptyPage, match="That page contains no results"):
        await refused.page(1)


@pytest.mark.parametrize("number", ["x", None, 1.5, "1.5", [1]])
async def test_a_page_number_that_is_not_an_integer(number):
    await make_authors(5)
    paginator = Paginator(Author.objects.all(), 2)
    with pytest.raises(PageNotAnInteger, match="not an integer") as caught:
        await paginator.page(number)
    assert isinstance(caught.value, InvalidPage)


@pytest.mark.parametrize("number", ["x", 1.5, 0, -1])
async def test_a_number_that_can_never_be_a_page_is_refused_without_counting(number):
    # As in Django, the number's form (and being at least 1) is checked before the count.
    paginator = Paginator(Author.objects.all(), 2)
    async with CaptureQueriesContext(connection) as ctx:
        with pytest.raises(InvalidPage):
            await paginator.page(number)
    assert ctx.captured_queries == []


@pytest.mark.parametrize("number, message", [(0, "less than 1"), (-1, "less than 1"), (4, "no results")])
async def test_a_page_number_out_of_range(number, message):
    await make_authors(5)
    paginator = Paginator(Author.objects.all(), 2)
    with pytest.raises(EmptyPage, match=message) as caught:
        await paginator.page(number)
    assert isinstance(caught.value, InvalidPage)


async def test_integral_numbers_in_other_types_are_accepted():
    expected = await make_authors(5)
    paginator = Paginator(Author.objects.all(), 2)
    assert names(await paginator.page("2")) == expected[2:4]
    assert names(await paginator.page(3.0)) == expected[4:]


async def test_error_messages_can_be_replaced():
    paginator = Paginator(Author.objects.all(), 2, error_messages={"invalid_page": "Bad page"})
    with pytest.raises(PageNotAnInteger, match="Bad page"):
        await paginator.page("x")


async def test_get_page_falls_back_to_the_first_or_last_page():
    expected = await make_authors(5)
    paginator = Paginator(Author.objects.all(), 2)
    assert (await paginator.get_page("x")).number == 1
    assert (await paginator.get_page(None)).number == 1
    last = await paginator.aget_page(99)
    assert (last.number, names(last)) == (3, expected[4:])
    assert (await paginator.get_page(0)).number == 3  # below 1 is out of range, as in Django


async def test_an_unordered_queryset_warns():
    with pytest.warns(UnorderedObjectListWarning, match="unordered object_list: .*Book.* QuerySet"):
        Paginator(Book.objects.all(), 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Paginator(Book.objects.order_by("pk"), 2)
        Paginator(Author.objects.all(), 2)  # Meta.ordering
        Paginator([3, 1, 2], 2)


async def test_iterating_the_paginator_reads_every_page():
    expected = await make_authors(5)
    paginator = Paginator(Author.objects.all(), 2)
    pages = [page async for page in paginator]
    assert [p.number for p in pages] == [1, 2, 3]
    assert [name for p in pages for name in names(p)] == expected


async def test_elided_page_range():
    await make_authors(50)
    paginator = Paginator(Author.objects.all(), 1)
    with pytest.raises(AwaitRequired):
        list(paginator.get_elided_page_range(25))
    elided = [item async for item in paginator.aget_elided_page_range(25)]
    assert elided == [1, 2, Paginator.ELLIPSIS, 22, 23, 24, 25, 26, 27, 28, Paginator.ELLIPSIS, 49, 50]
    assert list(paginator.get_elided_page_range(25)) == elided  # counted now


async def test_django_async_names():
    expected = await make_authors(5)
    paginator = AsyncPaginator(Author.objects.all(), 2)
    page = await paginator.apage(2)
    assert isinstance(page, AsyncPage) and isinstance(page, Page)
    assert await page.aget_object_list() is page.object_list
    assert [a.name async for a in page] == expected[2:4]
    assert (await page.ahas_next(), await page.ahas_previous(), await page.ahas_other_pages()) == (True, True, True)
    assert (await page.anext_page_number(), await page.aprevious_page_number()) == (3, 1)
    assert (await page.astart_index(), await page.aend_index()) == (3, 4)
    assert list(await paginator.apage_range()) == [1, 2, 3]
    assert await paginator.avalidate_number("3") == 3
    assert (await paginator.aget_page("x")).number == 1


async def test_a_plain_list_needs_no_await_to_count():
    paginator = Paginator(list(range(7)), 3)
    assert (paginator.count, paginator.num_pages) == (7, 3)
    page = await paginator.page(3)
    assert page.object_list == [6]
    assert await paginator.acount() == 7
    pages = [p.object_list async for p in Paginator((1, 2, 3), 2)]  # a tuple's slices become lists
    assert pages == [[1, 2], [3]]


async def test_a_page_built_around_a_queryset_reads_it_when_awaited():
    expected = await make_authors(3)
    paginator = Paginator(Author.objects.all(), 2)
    page = Page(Author.objects.all()[:2], 1, paginator)
    with pytest.raises(AwaitRequired):
        len(page)
    assert [a.name for a in await page.aget_object_list()] == expected[:2]
    assert len(page) == 2
