"""select_for_update() with tasks: it needs a transaction, and it blocks, refuses (nowait)
or skips (skip_locked) rows another task's transaction has locked; ``of`` locks only the
named tables. Where the database has no row locks (SQLite) Django leaves FOR UPDATE out."""

import asyncio
import time

import pytest

from teapot.db import DatabaseError, NotSupportedError, connection, transaction
from teapot.db.transaction import TransactionManagementError
from tests.database.seed import insert
from tests.database.testapp.models import Author, Book

pytestmark = pytest.mark.usefixtures("healthy_after")


def needs(feature):
    if not getattr(connection.features, feature):
        pytest.skip(f"{connection.vendor} has no {feature}")


async def locked_by_another_task(*names, seconds=30):
    """Start a task that locks the authors ``names`` in a transaction and holds them for
    ``seconds`` (or until cancelled); return it once the locks are taken."""
    taken = asyncio.Event()

    async def hold():
        async with transaction.atomic():
            rows = [a async for a in Author.objects.select_for_update().filter(name__in=names)]
            assert len(rows) == len(names)
            taken.set()
            await asyncio.sleep(seconds)

    task = asyncio.create_task(hold())
    await taken.wait()
    return task


async def stop(task):
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_select_for_update_needs_a_transaction():
    needs("has_select_for_update")
    await Author.objects.create(name="Ann")
    with pytest.raises(TransactionManagementError, match="select_for_update cannot be used outside of a transaction"):
        await Author.objects.select_for_update().aget(name="Ann")


async def test_a_locked_row_waits_for_the_other_transaction():
    needs("has_select_for_update")
    await Author.objects.create(name="Ann", age=1)
    holder = await locked_by_another_task("Ann", seconds=0.3)
    started = time.monotonic()
    async with transaction.atomic():
        ann = await Author.objects.select_for_update().aget(name="Ann")
    assert time.monotonic() - started >= 0.2
    assert ann.age == 1
    await holder


async def test_nowait_refuses_a_locked_row():
    needs("has_select_for_update_nowait")
    await Author.objects.create(name="Ann")
    holder = await locked_by_another_task("Ann")
    try:
        started = time.monotonic()
        with pytest.raises(DatabaseError):
            async with transaction.atomic():
                await Author.objects.select_for_update(nowait=True).aget(name="Ann")
        assert time.monotonic() - started < 1
    finally:
        await stop(holder)


async def test_skip_locked_skips_locked_rows():
    needs("has_select_for_update_skip_locked")
    await Author.objects.abulk_create([Author(name="Ann"), Author(name="Bob")])
    holder = await locked_by_another_task("Ann")
    try:
        async with transaction.atomic():
            free = [a.name async for a in Author.objects.select_for_update(skip_locked=True).order_by("name")]
        assert free == ["Bob"]
    finally:
        await stop(holder)


async def test_of_locks_only_the_named_tables():
    await Author.objects.create(name="Ann")
    [ann] = await Author.objects.all()
    await insert(Book, {"title": "Dune", "author_id": ann.pk})
    books = Book.objects.select_related("author").select_for_update(of=("self",))
    if not connection.features.has_select_for_update_of:
        needs("has_select_for_update")
        with pytest.raises(NotSupportedError, match="FOR UPDATE OF is not supported"):
            async with transaction.atomic():
                await books.aget()
        return
    taken = asyncio.Event()

    async def hold_the_book():
        async with transaction.atomic():
            await books.aget()
            taken.set()
            await asyncio.sleep(30)

    holder = asyncio.create_task(hold_the_book())
    await taken.wait()
    try:
        async with transaction.atomic():
            # The author row was read, not locked: another task can lock it at once.
            author = await Author.objects.select_for_update(nowait=True).aget(name="Ann")
            assert author.pk == ann.pk
            with pytest.raises(DatabaseError):
                async with transaction.atomic():
                    await Book.objects.select_for_update(nowait=True).aget()
    finally:
        await stop(holder)


async def test_without_row_locks_for_update_is_left_out():
    # Django's behaviour on SQLite: no FOR UPDATE in the SQL, and no transaction required.
    if connection.features.has_select_for_update:
        pytest.skip(f"{connection.vendor} has row locks")
    await Author.objects.create(name="Ann")
    qs = Author.objects.select_for_update(nowait=True).filter(name="Ann")
    sql, _ = qs.query.get_compiler(using="default").as_sql()
    assert "FOR UPDATE" not in sql.upper()
    assert (await qs.aget()).name == "Ann"
