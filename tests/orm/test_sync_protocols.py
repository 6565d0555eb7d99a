"""Sync protocols on querysets raise AwaitRequired until the results are loaded, then work."""

import pytest

from teapot.core.exceptions import SynchronousOnlyOperation
from teapot.db.models import QuerySet
from teapot.errors import AwaitRequired
from tests.database.seed import insert
from tests.database.testapp.models import Author

pytestmark = pytest.mark.usefixtures("tables")


async def make_authors():
    await insert(Author, {"name": "Ann", "age": 30}, {"name": "Bob", "age": 20}, {"name": "Cid", "age": 40})


@pytest.mark.parametrize(
    "protocol",
    [len, bool, list, lambda qs: qs[1], lambda qs: [x for x in qs]],
    ids=["len", "bool", "list", "index", "for"],
)
async def test_unevaluated_queryset_raises_await_required(protocol):
    await make_authors()
    for qs in (Author.objects.all(), Author.objects.values("name"), Author.objects.values_list("name", flat=True)):
        with pytest.raises(AwaitRequired, match="await") as info:
            protocol(qs)
        assert isinstance(info.value, SynchronousOnlyOperation)
        assert qs._result_cache is None


async def test_related_manager_all_raises_await_required():
    await make_authors()
    ann = await Author.objects.get(name="Ann")
    with pytest.raises(AwaitRequired, match="await"):
        list(ann.books.all())


async def test_raw_queryset_raises_await_required():
    await make_authors()
    with pytest.raises(AwaitRequired, match="await"):
        len(Author.objects.raw("SELECT * FROM testapp_author"))


async def test_raw_queryset_index_of_a_wrong_type_is_a_type_error():
    # As indexing the list of rows would say, and without needing the rows first.
    raw = Author.objects.raw("SELECT * FROM testapp_author")
    with pytest.raises(TypeError, match="not str"):
        raw["test"]
    with pytest.raises(AwaitRequired):
        raw[0]


async def test_slicing_stays_lazy():
    await make_authors()
    page = Author.objects.all()[1:3]
    assert isinstance(page, QuerySet) and page._result_cache is None
    assert [a.name for a in await page] == ["Bob", "Cid"]


async def test_protocols_work_after_await():
    await make_authors()
    qs = Author.objects.all()
    await qs
    assert len(qs) == 3
    assert bool(qs) is True
    assert [a.name for a in list(qs)] == ["Ann", "Bob", "Cid"]
    assert qs[2].name == "Cid"
    assert [a.name for a in qs[1:]] == ["Bob", "Cid"]
    empty = Author.objects.filter(age__gt=99)
    await empty
    assert len(empty) == 0 and bool(empty) is False


async def test_protocols_work_after_async_for():
    await make_authors()
    qs = Author.objects.values_list("name", flat=True)
    assert [n async for n in qs] == ["Ann", "Bob", "Cid"]
    assert len(qs) == 3 and list(qs) == ["Ann", "Bob", "Cid"]
