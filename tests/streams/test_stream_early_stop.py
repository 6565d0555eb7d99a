"""Leaving a stream early: ``break``, ``return``, an exception in the loop body, ``aclose()``,
``aclosing()``, cancellation of the task and garbage collection of an unfinished iterator
release the stream before the task's next statement, inside and outside ``atomic()``.
Then more statements and a COMMIT run on the same task, many times over. Each test ends with
the reliability plan's check (tests/database/faults.py)."""

import asyncio
import contextlib
import gc
import time
import weakref

import pytest

from teapot.db import connection, transaction
from tests.database.harness import DATABASE
from tests.database.faults import fetch, running, server_cpu_seconds, server_sessions, until
from tests.database.testapp.models import Author, Tag

pytestmark = pytest.mark.usefixtures("healthy_after")

REPETITIONS = int(__import__("os").environ.get("TEAPOT_TEST_REPETITIONS", "200"))
# More than the sockets buffer (about 1 MB of names): the stream is left with rows unread on
# the server, which is still sending them.
ROWS = 8000
CHUNK = 100


class Stop(Exception):
    pass


async def by_break():
    async for _ in Author.objects.iterator(chunk_size=CHUNK):
        break


async def by_return():
    async for author in Author.objects.iterator(chunk_size=CHUNK):
        return author


async def by_exception():
    with contextlib.suppress(Stop):
        async for _ in Author.objects.iterator(chunk_size=CHUNK):
            raise Stop


async def by_aclose():
    rows = Author.objects.values_list("name", flat=True).iterator(chunk_size=CHUNK)
    await anext(rows)
    await rows.aclose()


async def by_aclosing():
    async with contextlib.aclosing(Author.objects.values("name").iterator(chunk_size=CHUNK)) as rows:
        async for _ in rows:
            break


async def by_garbage_collection():
    rows = Author.objects.iterator(chunk_size=CHUNK)
    await anext(rows)
    rows = None  # dropped with rows unread, never closed
    gc.collect()


async def by_cancellation(in_atomic=False, deadline=0.002):
    """A request's deadline cancels it in the middle of a stream (in its atomic block, the
    whole block: a cancelled transaction commits nothing)."""

    async def stream():
        async with transaction.atomic() if in_atomic else contextlib.nullcontext():
            async for _ in Author.objects.iterator(chunk_size=CHUNK):
                await asyncio.sleep(10)

    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(deadline):
            await stream()


WAYS = {
    "break": by_break,
    "return": by_return,
    "exception": by_exception,
    "aclose": by_aclose,
    "aclosing": by_aclosing,
    "garbage collection": by_garbage_collection,
    "cancellation": by_cancellation,
}


async def seed():
    await Author.objects.abulk_create([Author(name=name(i), age=i) for i in range(ROWS)], batch_size=1000)


def name(i):
    return f"a{i:04}".ljust(100, "x")


async def more_statements(repetition):
    await Tag.objects.acreate(name=f"t{repetition}")
    assert await Author.objects.acount() == ROWS
    assert await Author.objects.values_list("age", flat=True).aget(name=name(42)) == 42


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("in_atomic", [False, True], ids=["autocommit", "atomic"])
async def test_leaving_a_stream_early_never_disturbs_the_next_statements(way, in_atomic):
    await seed()
    leave = WAYS[way]
    for repetition in range(REPETITIONS):
        if way == "cancellation":
            # Sometimes while a FETCH is on the wire, sometimes in the loop body.
            await by_cancellation(in_atomic, deadline=0.0005 * (1 + repetition % 6))
            async with transaction.atomic() if in_atomic else contextlib.nullcontext():
                await more_statements(repetition)
        elif in_atomic:
            async with transaction.atomic():
                await leave()
                await more_statements(repetition)
        else:
            await leave()
            await more_statements(repetition)
        if not in_atomic:
            async with transaction.atomic():
                await Tag.objects.filter(name=f"t{repetition}").aupdate(name=f"u{repetition}")
    # Every transaction committed, nothing ran twice or was lost.
    assert await Tag.objects.acount() == REPETITIONS
    assert await Tag.objects.filter(name__startswith="u").acount() == (0 if in_atomic else REPETITIONS)
    if DATABASE == "postgresql":
        # The streams' server-side cursors are gone, not left for the connection's reset.
        assert await fetch("SELECT count(*) FROM pg_cursors WHERE name <> ''") == [(0,)]


async def test_a_stream_left_early_is_freed_at_once_even_as_a_tasks_first_statement():
    # A task whose first statement is a stream takes its connection inside the stream's first
    # step; a connection opened then (the pool has no idle one for the second task) must not
    # keep the stream alive: freeing it is what stops it before the next statement.
    await seed()

    async def handler():
        rows = Author.objects.iterator(chunk_size=CHUNK)
        freed = weakref.ref(rows)
        async for _ in rows:
            break
        rows = None
        assert freed() is None
        await Tag.objects.acreate(name="after")
        if DATABASE == "postgresql":
            assert await fetch("SELECT count(*) FROM pg_cursors WHERE name <> ''") == [(0,)]

    await asyncio.gather(asyncio.create_task(handler()), asyncio.create_task(handler()))
    assert await Tag.objects.acount() == 2


@pytest.mark.skipif(DATABASE == "sqlite", reason="SQLite's stream is reset before the task's next statement")
async def test_a_stream_left_early_outside_a_transaction_holds_no_connection_while_its_task_waits():
    # Leases: a handler that leaves a stream and then awaits something else (an HTTP call)
    # holds nothing meanwhile; the pool's reset stops the stream on the server at once.
    await seed()
    pool = connection.connection_pool
    async for _ in Author.objects.iterator(chunk_size=CHUNK):
        break
    assert connection.connection is None and pool.in_use == 0
    await until(lambda: pool.pending == 0, timeout=5)
    if DATABASE == "postgresql":
        assert await fetch("SELECT count(*) FROM pg_cursors WHERE name <> ''") == [(0,)]
    assert await Author.objects.acount() == ROWS


async def test_the_loop_body_may_query_while_a_stream_is_open():
    # A stream still being read is not abandoned: statements in the loop body run between its
    # chunks (MySQL reads the rest of the result first) and the stream gives every row.
    await seed()
    seen = 0
    async with transaction.atomic():
        async for author in Author.objects.order_by("name").iterator(chunk_size=CHUNK):
            seen += 1
            if seen % 150 == 0:
                await Tag.objects.acreate(name=author.name[:5])
    assert seen == ROWS and await Tag.objects.acount() == ROWS // 150


async def test_two_streams_left_early_in_one_task():
    await seed()
    outer = Author.objects.order_by("name").iterator(chunk_size=CHUNK)
    inner = Author.objects.order_by("-name").iterator(chunk_size=CHUNK)
    assert (await anext(outer)).name == name(0)
    assert (await anext(inner)).name == name(ROWS - 1)
    outer = inner = None
    async with transaction.atomic():
        await Tag.objects.acreate(name="after")
    assert await Tag.objects.acount() == 1
    if DATABASE != "sqlite":
        # Neither stream is still running on the server.
        assert await server_sessions(running("testapp_author")) == 0


async def test_async_with_stops_a_stream_even_while_it_is_referenced():
    await seed()
    async with Author.objects.order_by("name").iterator(chunk_size=CHUNK) as rows:
        assert (await anext(rows)).name == name(0)
        kept = rows
    # Stopped at the end of the block though a reference is kept: iterating ends at once.
    assert [author async for author in kept] == []
    await Tag.objects.acreate(name="after")
    if DATABASE == "postgresql":
        assert await fetch("SELECT count(*) FROM pg_cursors WHERE name <> ''") == [(0,)]


async def test_aiterator_checks_chunk_size_when_iterated():
    rows = Author.objects.aiterator(chunk_size=0)  # no error yet, as in Django
    with pytest.raises(ValueError, match="strictly positive"):
        await anext(rows)


WIDE_ROWS = 100_000
WIDE_COLUMNS = 200
STREAMS = 20


async def insert_authors(rows):
    if DATABASE == "postgresql":
        await fetch(f"INSERT INTO testapp_author (name, age) SELECT 'a' || i, i FROM generate_series(1, {rows}) i")
    else:
        await fetch(f"INSERT INTO testapp_author (name, age) SELECT CONCAT('a', seq), seq FROM seq_1_to_{rows}")


def wide_rows():
    """100,000 rows of 200 columns, computed by the server as it sends them."""
    columns = {f"c{i}": f"age + {i}" for i in range(WIDE_COLUMNS)}
    return Author.objects.extra(select=columns).values_list(*columns).order_by("id")


def streaming_sessions() -> str:
    if DATABASE == "postgresql":
        return "state = 'active' AND query LIKE '%%age + 199%%'"
    return "p.command <> 'Sleep' AND p.info LIKE '%%age + 199%%'"


@pytest.mark.skipif(DATABASE == "sqlite", reason="a server's sessions and CPU")
@pytest.mark.pool(max_size=STREAMS + 4, timeout=5)
async def test_abandoned_streams_are_stopped_on_the_server():
    # Twenty clients hold a 100,000-row, 200-column stream each, 1,000 rows read, then go
    # away at once: half leave the loop and run one more query (a handler that goes on),
    # half are cancelled in the loop body (a client that disconnected), inside and outside
    # atomic blocks (PostgreSQL always inside: outside one, a server-side cursor WITH HOLD
    # computes its whole result first). Ordinary requests go on meanwhile. The server stops
    # every stream, instead of sending (and teapot reading) the rest.
    await insert_authors(WIDE_ROWS)
    read_enough = [asyncio.Event() for _ in range(STREAMS)]
    abandon = asyncio.Event()
    requests_done = asyncio.Event()

    async def client(index):
        in_atomic = DATABASE == "postgresql" or index % 4 < 2
        seen = 0
        async with transaction.atomic() if in_atomic else contextlib.nullcontext():
            async for _ in wide_rows().iterator(chunk_size=500):
                seen += 1
                if seen == 1000:
                    read_enough[index].set()
                    await abandon.wait()
                    if index % 2:
                        break
                    await asyncio.sleep(60)  # until cancelled
        return await Author.objects.filter(name="a7").acount() + seen

    async def ordinary_requests():
        count = 0
        while not requests_done.is_set():
            assert await Author.objects.filter(name="a7").acount() == 1
            count += 1
            await asyncio.sleep(0.01)
        return count

    requests = [asyncio.create_task(ordinary_requests()) for _ in range(3)]
    clients = [asyncio.create_task(client(i)) for i in range(STREAMS)]
    async with asyncio.timeout(60):  # a client that failed never sets its event: fail, not hang
        for event in read_enough:
            await event.wait()
    abandoned_at = time.monotonic()
    abandon.set()
    for index in range(0, STREAMS, 2):
        clients[index].cancel()
    outcomes = await asyncio.gather(*clients, return_exceptions=True)
    assert all(o == 1001 for o in outcomes[1::2]), outcomes
    assert all(isinstance(o, asyncio.CancelledError) for o in outcomes[::2]), outcomes

    # Within 2 s no session of the test database is still running a stream, and then the
    # server's CPU is idle.
    await until(lambda: _none(streaming_sessions()), timeout=2)
    assert time.monotonic() - abandoned_at < 2
    before = server_cpu_seconds()
    await asyncio.sleep(1)
    after = server_cpu_seconds()
    if before is not None:
        assert after - before < 0.3, f"the server used {after - before:.2f} s of CPU in the second after"
    requests_done.set()
    served = await asyncio.gather(*requests)  # no PoolTimeout, no wrong answer
    assert all(served)


async def _none(where):
    return await server_sessions(where) == 0
