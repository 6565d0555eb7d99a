"""A transaction belongs to its task; teapot.gather() runs queries in parallel outside a
transaction and one after another inside one. Reliability plan items 17 and 18, on every
database. Each test ends with the check of tests/database/faults.py."""

import asyncio
import time

import pytest

import teapot
from teapot.db import OperationalError, connection, connections, transaction
from tests.database.harness import DATABASE
from tests.database.faults import fetch, session_id, slow_sql, until
from tests.database.testapp.models import Author

pytestmark = pytest.mark.usefixtures("healthy_after")


def names():
    return Author.objects.order_by("name").values_list("name", flat=True)


async def test_child_task_outside_parent_atomic():
    # Plan item 17: a task started inside an atomic block runs on a connection of its own,
    # outside that transaction: it does not see the block's writes, its own writes commit
    # on their own, and the block's rollback does not touch them.
    async def child():
        seen = list(await names())
        await Author.objects.create(name="B")
        return seen, connection.in_atomic_block, await session_id()

    async with transaction.atomic():
        await Author.objects.create(name="A")
        parent_session = await session_id()
        if DATABASE == "sqlite":
            # One writer at a time: the child cannot even read a table this transaction
            # is writing (shared-cache in-memory database), and says so.
            with pytest.raises(OperationalError, match="locked"):
                await asyncio.create_task(child())
            transaction.set_rollback(True)
        else:
            seen, child_in_atomic, child_session = await asyncio.create_task(child())
            assert seen == []  # A is not committed
            assert not child_in_atomic
            assert child_session != parent_session
            transaction.set_rollback(True)
    assert await names() == ([] if DATABASE == "sqlite" else ["B"])


async def test_child_task_writes_commit_before_the_parents_transaction_ends():
    # The same on SQLite's terms: the child writes before the parent's transaction does.
    async def child():
        await Author.objects.create(name="B")
        return connection.in_atomic_block

    async with transaction.atomic():
        assert await asyncio.create_task(child()) is False
        assert await names() == ["B"]  # committed by the child, visible here
        await Author.objects.create(name="A")
        transaction.set_rollback(True)
    assert await names() == ["B"]


async def test_gather_inside_atomic():
    # Plan item 18: inside a transaction the queries run one after another on its
    # connection, in this task: they see its writes and roll back with it.
    async def add(name):
        await Author.objects.create(name=name)
        return connections["default"]

    async with transaction.atomic():
        await Author.objects.create(name="Ann")
        listed, counted, first, second = await teapot.gather(names(), Author.objects.acount(), add("Bob"), add("Cid"))
        assert listed == ["Ann"] and counted == 1
        assert first is second is connections["default"]
        assert await names() == ["Ann", "Bob", "Cid"]
        transaction.set_rollback(True)
    assert await names() == []


async def test_gather_inside_atomic_stops_at_the_first_error():
    ran = []

    async def step(name, fail=False):
        ran.append(name)
        if fail:
            raise ValueError(name)

    async with transaction.atomic():
        with pytest.raises(ValueError, match="b"):
            await teapot.gather(step("a"), step("b", fail=True), step("c"))
    assert ran == ["a", "b"]


async def test_gather_runs_in_parallel_on_separate_connections():
    ids = await teapot.gather(session_id(), session_id(), session_id())
    assert len(set(map(id, ids) if DATABASE == "sqlite" else ids)) == 3
    if DATABASE != "sqlite":
        started = time.monotonic()
        await teapot.gather(*(fetch(f"SELECT {slow_sql(0.3)}") for _ in range(3)))
        assert time.monotonic() - started < 0.3 * 2


async def test_gather_takes_querysets_and_returns_results_in_order():
    await Author.objects.bulk_create([Author(name="Ann", age=1), Author(name="Bob", age=2)])
    listed, counted, ann = await teapot.gather(names(), Author.objects.filter(age=2).acount(), Author.objects.aget(age=1))
    assert listed == ["Ann", "Bob"] and counted == 1 and ann.name == "Ann"


async def test_gather_failure_cancels_the_others_and_their_connections_come_back():
    async def slow():
        await fetch(f"SELECT {slow_sql(5)}")

    async def fail():
        await asyncio.sleep(0.1)
        raise ValueError("boom")

    started = time.monotonic()
    with pytest.raises(ValueError, match="boom"):
        await teapot.gather(slow(), fail())
    assert time.monotonic() - started < 1
    pool = connection.connection_pool
    await until(lambda: pool.in_use == 0)


async def test_gather_return_exceptions():
    async def fail():
        raise ValueError("boom")

    counted, error = await teapot.gather(Author.objects.acount(), fail(), return_exceptions=True)
    assert counted == 0 and isinstance(error, ValueError)


def test_gather_refuses_what_it_cannot_await():
    with pytest.raises(TypeError, match="querysets and awaitables"):
        asyncio.run(teapot.gather(Author.objects.acount, 3))
