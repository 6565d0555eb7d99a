"""Pools and leases (teapot/pool.py, teapot/tasks.py): a statement leases a connection until
its rows are read, a teapot.connection() scope until it ends, a task's leftovers go back when
it ends; sizes, acquire timeouts,
health checks, lifetimes, reset on release. Reliability plan items 4, 12, 13 and 15.
Every test ends with the check of tests/database/faults.py: pools idle and full, no session idle
in a transaction on the server, SELECT 1 works."""

import asyncio
import time

import pytest

import teapot
from teapot.core.exceptions import ImproperlyConfigured
from teapot.db import OperationalError, connection, connections, transaction
from teapot.pool import PoolOptions, PoolTimeout
from tests.database.harness import DATABASE, models
from tests.database.faults import alias_through, proxy_to_server, session_id, until
from tests.database.testapp.models import Author

pytestmark = pytest.mark.usefixtures("healthy_after")


async def in_task(coroutine_function, *args):
    result = await asyncio.create_task(coroutine_function(*args))
    # A task's connection goes back in a done callback of the task, which may run just
    # after this one resumes (callbacks run in the order they were added).
    await asyncio.sleep(0)
    return result


async def test_each_task_has_its_own_wrapper_and_connection():
    async def who():
        async with teapot.connection():
            await Author.objects.count()
            return connections["default"], connection.connection

    (w1, c1), (w2, c2) = await asyncio.gather(in_task(who), in_task(who))
    assert w1 is not w2
    assert c1 is not None and c2 is not None
    mine = connections["default"]
    assert mine is not w1 and mine is not w2
    assert connections["default"] is mine  # the same wrapper within one task


async def test_a_statement_gives_its_connection_back_once_its_rows_are_read():
    pool = connection.connection_pool
    await Author.objects.count()
    assert connection.connection is None
    assert pool.in_use == 0 and pool.idle == pool.size == 1


async def test_a_connection_scope_keeps_one_session_from_statement_to_statement():
    pool = connection.connection_pool

    async def work():
        async with teapot.connection():
            first = await session_id()
            await Author.objects.count()
            assert pool.in_use == 1
            second = await session_id()
        assert pool.in_use == 0
        return first, second

    first, second = await in_task(work)
    assert first == second
    assert pool.in_use == 0 and pool.idle == pool.size == 1


async def test_connection_scope_gives_the_connection_back_at_its_end():
    pool = connection.connection_pool
    async with teapot.connection() as conn:
        await Author.objects.count()
        assert conn is connections["default"] and conn.connection is not None
        assert pool.in_use == 1
    assert conn.connection is None and pool.in_use == 0
    async with teapot.connection():
        async with teapot.connection():  # nested: the outer scope owns the connection
            await Author.objects.count()
        assert pool.in_use == 1
    assert pool.in_use == 0


async def test_connection_scope_leaves_an_open_atomic_block_its_connection():
    pool = connection.connection_pool
    async with transaction.atomic():
        async with teapot.connection():
            await Author.objects.create(name="Ann")
        assert pool.in_use == 1 and connection.in_atomic_block
    assert await Author.objects.count() == 1


async def test_connections_are_reused_from_the_pool():
    ids = [await in_task(session_id) for _ in range(5)]
    assert len(set(ids)) == 1
    assert connection.connection_pool.size == 1


async def test_a_task_ending_inside_a_transaction_gives_back_a_rolled_back_connection():
    pool = connection.connection_pool

    async def leave_open():
        await transaction.set_autocommit(False)
        await Author.objects.create(name="Ann")  # never committed

    await in_task(leave_open)
    await until(lambda: pool.pending == 0)
    assert pool.idle == 1  # reset, not closed
    assert await Author.objects.count() == 0


@pytest.mark.pool(max_size=1, timeout=0.2)
async def test_pool_exhausted_timeout():
    # Plan item 12: a typed timeout, in about the configured time.
    async with teapot.connection():
        await Author.objects.count()  # this task holds the only connection
        started = time.monotonic()
        with pytest.raises(PoolTimeout, match="max_size") as caught:
            await in_task(Author.objects.count)
        elapsed = time.monotonic() - started
    assert 0.2 <= elapsed < 0.4
    assert isinstance(caught.value, OperationalError)  # Django's exception class


@pytest.mark.pool(max_size=1, timeout=5)
async def test_cancel_in_acquire_and_release():
    # Plan item 4: a task cancelled while it waits for a connection leaves no trace; the
    # next waiter gets the connection as soon as it is free.
    pool = connection.connection_pool
    async with teapot.connection():
        await Author.objects.count()  # this task holds the only connection
        waiting = asyncio.create_task(Author.objects.count())
        await asyncio.sleep(0.05)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        late = asyncio.create_task(Author.objects.count())
        await asyncio.sleep(0.05)
        assert not late.done()
        started = time.monotonic()
    # The scope's end gave the connection back.
    assert await late == 0
    assert time.monotonic() - started < 0.5
    assert pool.size == 1


@pytest.mark.pool(max_size=1, timeout=10)
async def test_nested_orm_call_reuses_task_conn():
    # Plan item 13: 20 tasks on a pool of one, each running helpers inside atomic(): the
    # helpers use their task's connection, so nothing waits for itself.
    async def helper(name):
        await Author.objects.create(name=name)
        return await session_id()

    async def request(n):
        async with transaction.atomic():
            first = await helper(f"a{n}")
            second = await helper(f"b{n}")
            async with transaction.atomic():
                third = await helper(f"c{n}")
        return {first, second, third}

    results = await asyncio.gather(*(request(n) for n in range(20)))
    assert all(len(ids) == 1 for ids in results)
    assert await Author.objects.count() == 60
    assert connection.connection_pool.size == 1


@pytest.mark.pool(max_size=4, max_idle=0.2)
async def test_inactive_lifetime_closes_idle_connections_only():
    # Plan item 15: idle connections close after max_idle; one busy longer is untouched.
    pool = connection.connection_pool

    async def busy(seconds):
        await asyncio.sleep(seconds)  # holds its connection, idle from the pool's view
        return await session_id()

    async def start_and_hold():
        async with teapot.connection():
            first = await session_id()
            return first, await busy(0.8)

    holder = asyncio.create_task(start_and_hold())
    await asyncio.gather(*(in_task(session_id) for _ in range(3)))
    await until(lambda: pool.size >= 2)
    await until(lambda: pool.idle == 0, timeout=2)  # the idle ones were closed
    first, last = await holder
    assert first == last  # the held connection outlived max_idle
    assert pool.size == 1


@pytest.mark.pool(max_size=2, max_lifetime=0.3)
async def test_max_lifetime_retires_connections_between_leases_never_during_one():
    async def across(seconds):
        async with teapot.connection():
            first = await session_id()
            await asyncio.sleep(seconds)
            return first, await session_id()

    first, last = await in_task(across, 0.5)
    assert first == last  # older than max_lifetime, still in use: kept
    assert await in_task(session_id) != first  # given back too old: replaced


@pytest.mark.skipif(DATABASE != "sqlite", reason="an in-memory SQLite database ends with its last connection")
@pytest.mark.pool(max_size=1, max_lifetime=0.2)
async def test_an_in_memory_database_outlives_a_retired_connection_when_its_keeper_first_met_a_lock():
    # The pool opens a keeper connection beside the first one. Opening runs statements, which
    # fail at once while that first connection changes the schema in a transaction; the
    # keeper must open once the transaction ends, or retiring the first connection ends the
    # database.
    await teapot.close()  # a new pool, and a new database, for this test
    async with transaction.atomic():
        async with connection.cursor() as cursor:
            await cursor.execute("CREATE TABLE kept (id integer)")
        await asyncio.sleep(0.05)  # the keeper tries to open meanwhile
    await asyncio.sleep(0.3)  # older than max_lifetime: retired at its next lease
    async with connection.cursor() as cursor:
        await cursor.execute("SELECT count(*) FROM kept")
        assert await cursor.fetchone() == (0,)
    async with connection.schema_editor() as editor:  # what the other tests and teardown expect
        for model in models():
            await editor.create_model(model)


@pytest.mark.pool(min_size=2, max_size=3)
async def test_min_size_opens_connections_ahead():
    pool = connection.connection_pool
    await until(lambda: pool.idle == 2)
    assert pool.size == 2


@pytest.mark.skipif(DATABASE == "sqlite", reason="a server behind a network path")
async def test_health_checks_replace_an_idle_connection_whose_network_path_died():
    # Nothing tells the client that a silently dead TCP connection is dead: only a ping
    # (CONN_HEALTH_CHECKS) finds out, within reset_timeout, and a new connection serves.
    async with proxy_to_server() as proxy, alias_through(proxy, health_checks=True, reset_timeout=0.3) as alias:
        pool = connections[alias].connection_pool
        first = await in_task(session_id, alias)
        proxy.stall()
        started = time.monotonic()
        assert await in_task(session_id, alias) != first
        assert time.monotonic() - started < 0.3 * 1.2 + 0.3
        assert pool.size == 1


@pytest.mark.skipif(DATABASE == "sqlite", reason="a server behind a network path")
async def test_without_health_checks_a_dead_path_is_bounded_by_the_callers_timeout():
    async with proxy_to_server() as proxy, alias_through(proxy, reset_timeout=0.3) as alias:
        await in_task(session_id, alias)
        proxy.stall()
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.5):
                await in_task(session_id, alias)
        assert time.monotonic() - started < 0.5 * 1.2
        pool = connections[alias].connection_pool
        await until(lambda: pool.pending == 0 and pool.in_use == 0)
        assert pool.size == 0  # the interrupted connection was closed, not kept


def test_pool_options_are_checked():
    settings = {"OPTIONS": {"pool": {"max_size": 0}}}
    with pytest.raises(ImproperlyConfigured, match="max_size"):
        PoolOptions.from_settings(settings)
    with pytest.raises(ImproperlyConfigured, match="Unknown OPTIONS\\['pool'\\] option\\(s\\) maxsize"):
        PoolOptions.from_settings({"OPTIONS": {"pool": {"maxsize": 3}}})
    with pytest.raises(ImproperlyConfigured, match="timeout"):
        PoolOptions.from_settings({"OPTIONS": {"pool": {"timeout": "soon"}}})
    options = PoolOptions.from_settings({"OPTIONS": {"pool": {"max_size": 3, "timeout": 2}}, "CONN_HEALTH_CHECKS": True})
    assert (options.max_size, options.timeout, options.health_checks) == (3, 2.0, True)


async def test_close_closes_every_pool_and_the_next_query_opens_a_new_one():
    old = connection.connection_pool
    await Author.objects.count()
    await teapot.close()
    assert old.closed and old.size == 0
    if connection.vendor == "sqlite":  # an in-memory database ended with its last connection
        async with connection.schema_editor() as editor:
            for model in models():
                await editor.create_model(model)
    assert await Author.objects.count() == 0
    assert connection.connection_pool is not old
