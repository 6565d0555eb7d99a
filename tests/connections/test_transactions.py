"""Transactions: async atomic blocks, savepoints, the decorator form, durable blocks, on_commit."""

import asyncio

import pytest

from teapot.db import IntegrityError, connection, transaction
from tests.database.seed import insert
from tests.database.testapp.models import Author

pytestmark = pytest.mark.usefixtures("tables")


async def add(name):
    await insert(Author, {"name": name, "age": 0})


async def names():
    return await Author.objects.values_list("name", flat=True)


async def test_atomic_commits():
    async with transaction.atomic():
        assert connection.in_atomic_block
        await add("Ann")
    assert not connection.in_atomic_block
    assert await names() == ["Ann"]


async def test_exception_rolls_back():
    with pytest.raises(ValueError):
        async with transaction.atomic():
            await add("Ann")
            assert await Author.objects.count() == 1
            raise ValueError
    assert await names() == []


async def test_orm_writes_join_the_transaction():
    with pytest.raises(ValueError):
        async with transaction.atomic():
            ann = await Author.objects.create(name="Ann")
            await Author.objects.filter(pk=ann.pk).update(age=5)
            await Author.objects.bulk_create([Author(name="Bob")])
            raise ValueError
    assert await names() == []


async def test_set_rollback_discards_without_exception():
    async with transaction.atomic():
        await add("Ann")
        transaction.set_rollback(True)
    assert await names() == []


async def test_failed_inner_block_rolls_back_to_savepoint():
    async with transaction.atomic():
        await add("Ann")
        with pytest.raises(ValueError):
            async with transaction.atomic():
                await add("Bob")
                raise ValueError
        await add("Cid")
    assert await names() == ["Ann", "Cid"]


async def test_integrity_error_in_savepoint_keeps_outer_transaction_usable():
    async with transaction.atomic():
        await add("Ann")
        with pytest.raises(IntegrityError):
            async with transaction.atomic():
                await add("Ann")
        await add("Bob")
    assert await names() == ["Ann", "Bob"]


async def test_atomic_decorator_on_async_def():
    @transaction.atomic
    async def add_author(name, fail=False):
        await add(name)
        if fail:
            raise ValueError
        return name

    @transaction.atomic(savepoint=False)
    async def add_in_block(name):
        assert connection.in_atomic_block
        await add(name)

    assert await add_author("Ann") == "Ann"
    with pytest.raises(ValueError):
        await add_author("Bob", fail=True)
    await add_in_block("Cid")
    assert await names() == ["Ann", "Cid"]


async def test_nested_durable_block_raises_runtime_error():
    async with transaction.atomic(durable=True):
        await add("Ann")
    async with transaction.atomic():
        with pytest.raises(RuntimeError, match="durable"):
            async with transaction.atomic(durable=True):
                pass
    assert await names() == ["Ann"]


async def test_on_commit_runs_after_outer_commit_only():
    calls = []
    async with transaction.atomic():
        transaction.on_commit(lambda: calls.append("outer"))
        async with transaction.atomic():
            transaction.on_commit(lambda: calls.append("inner"))
        assert calls == []
    assert calls == ["outer", "inner"]


async def test_on_commit_skipped_after_rollback():
    calls = []
    with pytest.raises(ValueError):
        async with transaction.atomic():
            transaction.on_commit(lambda: calls.append("rolled back"))
            raise ValueError
    async with transaction.atomic():
        transaction.on_commit(lambda: calls.append("kept"))
        with pytest.raises(ValueError):
            async with transaction.atomic():
                transaction.on_commit(lambda: calls.append("savepoint rolled back"))
                raise ValueError
    assert calls == ["kept"]


async def test_on_commit_awaits_async_callables():
    calls = []

    async def notify():
        calls.append(await Author.objects.count())

    async with transaction.atomic():
        await add("Ann")
        transaction.on_commit(notify)
    assert calls == [1]


async def test_on_commit_outside_transaction_runs_immediately():
    calls = []
    transaction.on_commit(lambda: calls.append("now"))
    assert calls == ["now"]


async def test_async_on_commit_outside_transaction_runs_as_a_task():
    done = asyncio.Event()

    async def notify():
        done.set()

    transaction.on_commit(notify)
    await asyncio.wait_for(done.wait(), timeout=5)
    assert done.is_set()


def test_atomic_refuses_to_decorate_a_sync_function():
    with pytest.raises(TypeError, match="async def"):

        @transaction.atomic
        def sync_writer():
            pass


def test_async_on_commit_without_an_event_loop_is_a_clear_error():
    async def notify():
        pass

    with pytest.raises(RuntimeError, match="running event loop"):
        transaction.on_commit(notify)


async def test_q_check_inside_an_atomic_block():
    # Q.check() runs its query in a savepoint when a transaction is open (async with over a
    # conditional atomic()).
    from teapot.db.models import Q, Value

    async with transaction.atomic():
        assert await Q(name="Ann").check({"name": Value("Ann")}) is True
        assert await Q(name="Ann").check({"name": Value("Bob")}) is False
    assert await Q(name="Ann").check({"name": Value("Ann")}) is True


async def test_a_durable_block_inside_teapot_testing_testcase():
    # teapot.testing's TestCase wraps the class and each test in atomic blocks of its own; a
    # durable block inside a test is allowed there, and still refused inside another one.
    from teapot.testing import TestCase
    from teapot.testing.runner import run_classes, test_id

    class Durable(TestCase):
        __test__ = False

        async def test_durable(self):
            async with transaction.atomic(durable=True):
                await add("Ann")
            assert await names() == ["Ann"]

        async def test_nested_durable(self):
            async with transaction.atomic():
                with self.assertRaisesMessage(RuntimeError, "A durable atomic block cannot be nested"):
                    async with transaction.atomic(durable=True):
                        pass

    results = await run_classes([Durable])
    assert results[test_id(Durable, "test_durable")] == ("passed", "")
    assert results[test_id(Durable, "test_nested_durable")] == ("passed", "")
    assert await names() == []  # the test's savepoint and the class's transaction rolled back
