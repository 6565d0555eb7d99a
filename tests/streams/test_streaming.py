"""Streaming large querysets with aiterator(): bounded memory, and iterators that outlive
their transaction or connection scope. Reliability plan items 20 and 21. Each test ends
with the check of tests/database/faults.py."""

import asyncio
import tracemalloc
import weakref

import pytest

import teapot
from teapot import streams
from teapot.db import Error, connection, transaction
from teapot.backends.aiosqlite import base as aiosqlite_base
from tests.database.harness import DATABASE
from tests.database.faults import Ticker, fetch
from tests.database.testapp.models import Author, Profile

pytestmark = pytest.mark.usefixtures("healthy_after")

ROWS = 50_000
ROW_BYTES = 1000
CHUNK = 2000


async def insert_profiles(rows):
    """``rows`` authors, each with a profile whose bio is ROW_BYTES long, written by the
    server itself (fast, and no client memory; MariaDB's sequence engine for the rows)."""
    if DATABASE == "postgresql":
        await fetch(f"INSERT INTO testapp_author (name, age) SELECT 'a' || i, i FROM generate_series(1, {rows}) i")
        bio = f"repeat('x', {ROW_BYTES})"
    elif DATABASE == "mysql":
        await fetch(f"INSERT INTO testapp_author (name, age) SELECT CONCAT('a', seq), seq FROM seq_1_to_{rows}")
        bio = f"REPEAT('x', {ROW_BYTES})"
    else:
        series = f"WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {rows})"
        await fetch(f"INSERT INTO testapp_author (name, age) {series} SELECT 'a' || i, i FROM s")
        bio = f"hex(zeroblob({ROW_BYTES // 2}))"
    await fetch(f"INSERT INTO testapp_profile (author_id, bio) SELECT id, {bio} FROM testapp_author")


async def test_aiterator_bounded_memory():
    # Plan item 20: memory stays within a few chunks however many rows stream by (here
    # 50 MB of bios in 2,000-row chunks): on PostgreSQL through a server-side cursor, on
    # MySQL an unbuffered result, on SQLite sqlite3's own stepping.
    await insert_profiles(ROWS)
    seen = total = 0
    cursors_while_streaming = None
    tracemalloc.start()
    try:
        async with transaction.atomic():
            async for profile in Profile.objects.order_by("pk").aiterator(chunk_size=CHUNK):
                seen += 1
                total += len(profile.bio)
                if seen == CHUNK + 1 and DATABASE == "postgresql":
                    cursors_while_streaming = (await fetch("SELECT count(*) FROM pg_cursors WHERE name <> ''"))[0][0]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert seen == ROWS and total == ROWS * ROW_BYTES
    assert peak < 5 * CHUNK * ROW_BYTES, f"peak {peak / 1e6:.1f} MB"
    if DATABASE == "postgresql":
        assert cursors_while_streaming == 1


class _Chunk(list):
    """A chunk of rows that can be watched with a weak reference."""


async def test_a_stream_holds_one_chunk_while_reading_the_next(monkeypatch):
    # A chunk still referenced while the next one is read doubles a stream's memory.
    await insert_profiles(2000)
    read = streams.CursorReader.__anext__
    earlier, alive_when_reading, sizes = [], [], []

    async def watched(reader):
        alive_when_reading.append(sum(ref() is not None for ref in earlier))
        chunk = _Chunk(await read(reader))
        earlier.append(weakref.ref(chunk))
        sizes.append(len(chunk))
        return chunk

    monkeypatch.setattr(streams.CursorReader, "__anext__", watched)
    async with transaction.atomic():
        bios = [len(p.bio) async for p in Profile.objects.order_by("pk").aiterator(chunk_size=500)]
    assert bios == [ROW_BYTES] * 2000
    assert len(alive_when_reading) > 4 and max(alive_when_reading) == 0
    # SQLite steps lazily: its streams read smaller batches than chunk_size, for less memory.
    expected = aiosqlite_base.STREAM_ROWS_PER_FETCH if DATABASE == "sqlite" else 500
    assert max(sizes) == expected


async def test_statements_inside_the_loop_never_cut_a_stream_short():
    # MySQL cannot run a statement while a streamed result is unread: teapot reads the rest
    # first. Every database must give every row, whatever the loop body does.
    await Author.objects.abulk_create([Author(name=f"a{i:03}", age=i) for i in range(300)])
    seen = []
    async for author in Author.objects.order_by("name").aiterator(chunk_size=50):
        seen.append(author.name)
        if len(seen) == 10:
            assert await Author.objects.filter(age__lt=5).acount() == 5
        if len(seen) == 20:
            async with transaction.atomic():
                author.age += 1000
                await author.asave()
    assert seen == [f"a{i:03}" for i in range(300)]
    assert await Author.objects.filter(age__gte=1000).acount() == 1


async def test_prefetch_related_in_chunks_streams_every_row():
    authors = await Author.objects.abulk_create([Author(name=f"a{i:03}") for i in range(120)])
    await Profile.objects.abulk_create([Profile(author=a, bio=a.name) for a in authors])
    bios = [a.profile.bio async for a in Author.objects.order_by("name").select_related("profile").aiterator(chunk_size=25)]
    assert bios == [f"a{i:03}" for i in range(120)]
    names = []
    async for profile in Profile.objects.order_by("bio").prefetch_related("author").aiterator(chunk_size=25):
        names.append(profile.author.name)
    assert names == [f"a{i:03}" for i in range(120)]


@pytest.mark.parametrize(
    "scope, error",
    [
        # On PostgreSQL its cursor ended with the transaction.
        (transaction.atomic, "does not exist"),
        # A cursor must not touch a connection given back to the pool: another task may
        # hold it by then.
        (teapot.connection, "went back to the pool"),
    ],
    ids=["atomic", "connection scope"],
)
async def test_iterator_outlives_scope(scope, error):
    # Plan item 21: iteration that goes on after its atomic block or connection scope ended
    # either completes with the right rows or fails with a clear database error, never
    # silently short.
    await Author.objects.abulk_create([Author(name=f"a{i:02}") for i in range(10)])
    async with scope():
        iterator = Author.objects.order_by("name").values_list("name", flat=True).aiterator(chunk_size=2)
        got = [await anext(iterator)]
    try:
        async for name in iterator:
            got.append(name)
    except Error as exc:
        assert error in str(exc)
    else:
        assert got == [f"a{i:02}" for i in range(10)]
    await iterator.aclose()


@pytest.mark.skipif(DATABASE != "postgresql", reason="PostgreSQL's server-side cursors")
async def test_disable_server_side_cursors_reads_whole_results():
    settings = connection.settings_dict
    settings["DISABLE_SERVER_SIDE_CURSORS"] = True
    try:
        await Author.objects.abulk_create([Author(name=f"a{i:02}") for i in range(10)])

        async def read():
            out = []
            async for name in Author.objects.order_by("name").values_list("name", flat=True).aiterator(chunk_size=2):
                out.append(name)
                if len(out) == 1:
                    out.append((await fetch("SELECT count(*) FROM pg_cursors WHERE name <> ''"))[0][0])
            return out

        got = await asyncio.create_task(read())
        assert got[1] == 0 and [n for n in got if isinstance(n, str)] == [f"a{i:02}" for i in range(10)]
    finally:
        del settings["DISABLE_SERVER_SIDE_CURSORS"]


async def test_a_stream_lets_other_tasks_run_between_its_chunks():
    # asyncmy reads a streamed result ahead: its chunks come without suspending the reader, and
    # a task waiting to stop the stream (a server noticing that its client left) never ran.
    await Author.objects.abulk_create([Author(name=f"a{i:04}") for i in range(500)])
    at_each_row = []
    async with Ticker() as ticker:
        async for _ in Author.objects.order_by("name").iterator(chunk_size=100):
            at_each_row.append(ticker.ticks)
    at_each_chunk = at_each_row[::100]
    assert len(at_each_chunk) == 5
    assert all(later > earlier for earlier, later in zip(at_each_chunk, at_each_chunk[1:])), at_each_chunk
