"""Cancellation never leaves a dirty connection behind: reliability plan items 1, 2, 3, 5, 6
and 14, on every database. Each test ends with the check of tests/database/faults.py: pools
idle and full, no session idle in a transaction on the server, SELECT 1 works."""

import asyncio
import gc
import random
import time

import pytest

import teapot
from teapot.db import connection, transaction
from teapot.db.models import Value
from teapot.db.models.expressions import RawSQL
from tests.database.harness import DATABASE
from tests.database.faults import fetch, server_sessions, sleeping, slow_sql, until
from tests.database.testapp.models import Author

pytestmark = pytest.mark.usefixtures("healthy_after")


def slow_query(seconds=20):
    return Author.objects.annotate(slow=RawSQL(slow_sql(seconds), [])).aget()


async def cancel_soon(coroutine, after=0.1):
    task = asyncio.create_task(coroutine)
    await asyncio.sleep(after)
    started = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    return time.monotonic() - started


async def no_statement_left_running():
    if DATABASE == "sqlite":
        # The interrupted connection is the idle one a new task takes first: a statement
        # still running on its thread would delay this query by many seconds.
        started = time.monotonic()
        await asyncio.create_task(Author.objects.count())
        assert time.monotonic() - started < 1
    else:
        await until(lambda: _zero(sleeping()), timeout=5)


async def _zero(where):
    return await server_sessions(where) == 0


async def _running_slow_statements():
    if DATABASE == "sqlite":
        await asyncio.sleep(0.3)
        return True
    return await server_sessions(sleeping()) > 0


async def test_cancel_select_reusable():
    # Plan item 1: CancelledError well within a second, the server's statement gone, and
    # the pool serves an atomic block and a query next.
    await Author.objects.create(name="Ann")
    assert await cancel_soon(slow_query()) < 1
    await no_statement_left_running()
    async with transaction.atomic():
        await Author.objects.create(name="Bob")
    assert await Author.objects.count() == 2


async def test_cancel_in_atomic_rolls_back():
    # Plan item 2: the block's write is gone, and the connection was reset or closed.
    await Author.objects.create(name="Ann")

    async def work():
        async with transaction.atomic():
            await Author.objects.create(name="Bob")
            await slow_query()

    await cancel_soon(work())
    pool = connection.connection_pool
    await until(lambda: pool.pending == 0)
    assert await Author.objects.values_list("name", flat=True) == ["Ann"]
    assert not connection.in_atomic_block


@pytest.mark.skipif(DATABASE != "postgresql", reason="a COMMIT made slow by a deferred trigger")
async def test_cancel_during_commit_commits_and_runs_hooks():
    # Plan item 3: a cancellation that lands while COMMIT runs waits for it, so the
    # transaction is committed and its hooks run before the task ends cancelled.
    await fetch(
        "CREATE FUNCTION teapot_slow_commit() RETURNS trigger AS $$ "
        "BEGIN PERFORM pg_sleep(0.5); RETURN NULL; END $$ LANGUAGE plpgsql"
    )
    try:
        await fetch(
            "CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON testapp_author "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION teapot_slow_commit()"
        )
        hooks = []

        async def work():
            async with transaction.atomic():
                await Author.objects.create(name="Ann")
                transaction.on_commit(lambda: hooks.append("ran"))

        elapsed = await cancel_soon(work(), after=0.2)  # inside the 0.5 s COMMIT
        assert elapsed > 0.2  # it waited for the COMMIT
        assert await Author.objects.values_list("name", flat=True) == ["Ann"]
        assert hooks == ["ran"]
    finally:
        await fetch("DROP TRIGGER IF EXISTS slow_commit ON testapp_author")
        await fetch("DROP FUNCTION teapot_slow_commit()")


async def test_cancel_anywhere_in_a_transaction_commits_with_its_hooks_or_not_at_all():
    # Plan item 3 on every database: cancellations at random points of a transaction and
    # its exit. A row is committed exactly when its on_commit hook ran.
    hooks = []

    async def work(n):
        async with transaction.atomic():
            await Author.objects.create(name=f"a{n}")
            transaction.on_commit(lambda: hooks.append(f"a{n}"))

    # Cancel points are drawn from [0, limit], and the limit follows the race: it grows
    # after a cancelled attempt and shrinks after a committed one, so the points gather where
    # the transaction ends, however slow the machine or a fresh connection is.
    rng = random.Random(7)
    limit = 0.004
    for n in range(60):
        task = asyncio.create_task(work(n))
        await asyncio.sleep(rng.uniform(0, limit))
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        limit *= 0.8 if f"a{n}" in hooks else 1.25
    pool = connection.connection_pool
    await until(lambda: pool.pending == 0 and pool.in_use <= 1)
    committed = set(await Author.objects.values_list("name", flat=True))
    assert committed == set(hooks)
    assert 0 < len(committed) < 60 or DATABASE == "sqlite"  # the race really raced


async def test_timeout_race_stress():
    # Plan item 5: 500 queries under tiny timeouts, half in this task (asyncio.timeout) and
    # half in a task of their own (wait_for); a reply always belongs to its query.
    await Author.objects.create(name="Ann")

    def tagged(tag):
        return Author.objects.annotate(tag=Value(tag)).values_list("tag", flat=True).aget()

    rng = random.Random(5)
    answered = 0
    for n in range(500):
        tag = f"q{n}"
        try:
            if n % 2:
                async with asyncio.timeout(rng.uniform(0, 0.002)):
                    value = await tagged(tag)
            else:
                value = await asyncio.wait_for(tagged(tag), rng.uniform(0, 0.002))
        except TimeoutError:
            pass
        else:
            answered += 1
            assert value == tag
        assert await tagged(f"check{n}") == f"check{n}"
    # SQLite runs such a query on the event loop's thread, where no deadline can cut it.
    assert 0 < answered < 500 or DATABASE == "sqlite"


async def test_cancel_mid_aiterator():
    # Plan item 6: a task cancelled after the first chunk of a streamed queryset: its
    # server-side cursor is closed and its connection back in the pool, clean.
    await Author.objects.bulk_create([Author(name=f"a{i:03}") for i in range(100)])
    first_chunk = asyncio.Event()

    async def read():
        seen = 0
        async for _ in Author.objects.order_by("name").aiterator(chunk_size=10):
            seen += 1
            if seen == 10:
                first_chunk.set()
                await asyncio.sleep(30)

    task = asyncio.create_task(read())
    await first_chunk.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    del task
    gc.collect()  # the abandoned generator is finalized: its cursor must not touch the pool's connection
    await connection.close()  # this task's own connection back too
    pool = connection.connection_pool
    await until(lambda: pool.pending == 0 and pool.in_use == 0)

    async def open_cursors():
        if DATABASE == "postgresql":
            # The unnamed portal is this query's own.
            return (await fetch("SELECT count(*) FROM pg_cursors WHERE name <> ''"))[0][0]
        return 0

    assert await asyncio.create_task(open_cursors()) == 0  # on the same, reused connection
    assert await Author.objects.count() == 100


async def test_disconnect_storm_no_leak():
    # Plan item 14: 1,000 request handlers, 30% cancelled at a random point as an ASGI
    # server cancels a request whose client went away. Afterwards the server has exactly
    # the pool's connections, and no transaction is open.
    rng = random.Random(11)
    await Author.objects.create(name="seed")

    async def handler(n):
        async with transaction.atomic():
            await Author.objects.filter(name="seed").aget()
            await Author.objects.create(name=f"r{n}")
        return await Author.objects.filter(name=f"r{n}").acount()

    async def client(n):
        task = asyncio.create_task(handler(n))
        if rng.random() < 0.3:
            await asyncio.sleep(rng.uniform(0, 0.01))
            task.cancel()
        try:
            return await task
        except asyncio.CancelledError:
            return None

    concurrency = asyncio.Semaphore(1 if DATABASE == "sqlite" else 50)

    async def limited(n):
        async with concurrency:
            return await client(n)

    results = await asyncio.gather(*(limited(n) for n in range(1000)))
    assert {r for r in results if r is not None} == {1}
    await connection.close()  # this task's own connection back too
    pool = connection.connection_pool
    await until(lambda: pool.pending == 0 and pool.in_use == 0)
    if DATABASE != "sqlite":

        async def server_connections():
            return await server_sessions("1 = 1") + 1  # + the asking one, which is pooled

        await until(lambda: _equals(server_connections(), pool.size), timeout=10)


async def _equals(awaitable, expected):
    return await awaitable == expected


async def test_a_cancelled_statement_frees_its_row_locks_at_once():
    # A request's deadline cancels a slow statement of a transaction that holds a row lock:
    # its server session is ended (PostgreSQL: pg_terminate_backend; MySQL: KILL, whichever
    # way the driver closed the connection), so the lock is free within half a second,
    # not when the statement would have ended.
    ann = await Author.objects.create(name="Ann")

    async def slow_transaction():
        async with transaction.atomic():
            await Author.objects.filter(pk=ann.pk).aupdate(age=1)  # locks the row
            await Author.objects.annotate(slow=RawSQL(slow_sql(5), [])).aget()

    task = asyncio.create_task(slow_transaction())
    await until(lambda: _running_slow_statements(), timeout=5)  # the lock is taken
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    cancelled_at = time.monotonic()

    async def update():
        await Author.objects.filter(pk=ann.pk).aupdate(age=2)
        return time.monotonic() - cancelled_at

    waited = await asyncio.create_task(update())
    assert waited < 0.5, f"the row stayed locked for {waited:.2f} s after the cancellation"
    assert await Author.objects.values_list("age", flat=True).aget(pk=ann.pk) == 2


async def test_cancellations_leave_no_unretrieved_exceptions():
    # Deadlines that cut statements and connection openings short: nothing teapot or its
    # drivers started is left with an exception nobody retrieves ("Future exception was
    # never retrieved", "Task exception was never retrieved" on stderr).
    await Author.objects.create(name="Ann")
    reported = []
    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: reported.append(context.get("message")))
    try:

        async def request(index):
            try:
                async with asyncio.timeout(0.002 + (index % 7) * 0.003):
                    await Author.objects.annotate(slow=RawSQL(slow_sql(0.2), [])).aget()
            except TimeoutError:
                pass

        for _ in range(5):
            if DATABASE != "sqlite":  # (SQLite's in-memory database lives with its pool)
                await teapot.close()  # new connections to open, while the deadlines strike
            await asyncio.gather(*(request(i) for i in range(20)))
        await asyncio.sleep(0.3)
        gc.collect()
        await asyncio.sleep(0)
    finally:
        loop.set_exception_handler(previous)
    assert reported == []
