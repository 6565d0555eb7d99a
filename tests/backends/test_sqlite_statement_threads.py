"""Where the aiosqlite backend runs each statement: on the event loop's thread when it cannot
keep the loop for long (reads and writes in autocommit under a time budget, BEGIN, bounded
writes inside a transaction, commits while they are quick), on the driver's thread otherwise
(statements that ran past the budget, commits after a slow one), with a statement's first rows
read in the same call."""

import itertools
import threading
import time
from contextlib import asynccontextmanager

import pytest

import teapot
from teapot.backends.aiosqlite import base as aiosqlite_base
from teapot.db import connection, transaction
from tests.database.harness import DATABASE
from tests.database.faults import Ticker
from tests.database.testapp.models import Author

pytestmark = [
    pytest.mark.usefixtures("tables"),
    pytest.mark.skipif(DATABASE != "sqlite", reason="the aiosqlite backend's own behaviour"),
]

LOOP_THREAD = threading.get_ident()

# A read whose cost does not depend on any table: 300,000 rows counted.
SLOW_READ = (
    "SELECT count(*) FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
    "WHERE i < 300000) SELECT i FROM n)"
)


def _numbers(count):
    return f"SELECT i FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count}) SELECT i FROM n)"


def _slow_update():
    """An UPDATE of one author's age (by id) that runs past the budget; not remembered as slow."""
    sql = (
        f"UPDATE {Author._meta.db_table} SET age = age + 1 WHERE id = %s AND "
        f"(SELECT count(*) FROM ({_numbers(300000)})) > 0"
    )
    aiosqlite_base._over_budget.pop(sql, None)
    return sql


@asynccontextmanager
async def traced():
    """One connection for the block; yields the (on the loop's thread?, SQL) of each statement."""
    seen = []
    async with teapot.connection():
        await connection.ensure_connection()
        raw = connection.connection._conn
        raw.set_trace_callback(lambda sql: seen.append((threading.get_ident() == LOOP_THREAD, sql)))
        try:
            yield seen
        finally:
            raw.set_trace_callback(None)


def _where(seen, start):
    """On which thread each statement starting with ``start`` ran: True for the loop's."""
    return [here for here, sql in seen if sql.startswith(start)]


async def test_reads_and_writes_inside_a_transaction_stay_on_the_loop_thread():
    async with traced() as seen:
        async with transaction.atomic():
            ann = await Author.objects.create(name="Ann")
            await Author.objects.create(name="Bob")
        assert await Author.objects.get(pk=ann.pk) == ann
        assert await Author.objects.filter(name__startswith="B").count() == 1
    assert _where(seen, "BEGIN") == [True]
    assert _where(seen, "INSERT") == [True, True]
    assert _where(seen, "SELECT") == [True, True]
    assert _where(seen, "COMMIT") == [True]


@pytest.fixture
def quick_commits(monkeypatch):
    """Commits start out on the loop's thread, whatever an earlier test left."""
    monkeypatch.setattr(aiosqlite_base, "_slow_commits", 0.0)
    monkeypatch.setattr(aiosqlite_base, "_slow_commits_at", 0.0)


@pytest.mark.usefixtures("quick_commits")
async def test_a_write_in_autocommit_runs_on_the_loop_thread_and_commits():
    async with traced() as seen:
        await Author.objects.create(name="Ann")
        await Author.objects.filter(name="Ann").update(name="Anna")
        assert not connection.connection._conn.in_transaction
    assert _where(seen, "INSERT") == [True]
    assert _where(seen, "UPDATE") == [True]
    assert await Author.objects.values_list("name", flat=True) == ["Anna"]


@pytest.mark.usefixtures("quick_commits")
async def test_an_autocommit_write_interrupted_at_any_step_is_applied_once_and_reported(monkeypatch):
    # Left to autocommit, SQLite reports an interruption of an INSERT ... RETURNING's last
    # steps after the row has committed: the caller got an error for a row that exists.
    # The interruption is swept over every step of the statement.
    monkeypatch.setattr(aiosqlite_base, "_BUDGET_CHECK_EVERY", 1)
    monkeypatch.setattr(aiosqlite_base, "SLOW_COMMIT", 60.0)
    created = []
    async with traced() as seen:
        for step in range(1, 60):
            calls = itertools.count(1)
            monkeypatch.setattr(aiosqlite_base, "_past", lambda budget, calls=calls, step=step: lambda: next(calls) >= step)
            aiosqlite_base._over_budget.clear()
            created.append((await Author.objects.create(name=f"swept {step}")).pk)
    inserts = _where(seen, "INSERT")
    assert True in inserts and False in inserts  # some ran here whole, some were interrupted
    assert len(set(created)) == len(created) == 59
    assert sorted(await Author.objects.filter(name__startswith="swept").values_list("pk", flat=True)) == sorted(created)


@pytest.mark.usefixtures("quick_commits")
def test_slow_commits_take_a_bounded_share_of_the_loops_time():
    here, took = aiosqlite_base._commit_here, aiosqlite_base._commit_took
    start = time.perf_counter() + 1.0  # after anything the fixtures ran
    took(0.001, now=start)  # quick: not counted
    assert aiosqlite_base._slow_commits == 0.0
    for seconds in (0.009, 0.0043, 0.0031):  # a new WAL file's first commits
        took(seconds, now=start)
    assert here(now=start)  # 16.4 ms of the 20 ms that may come at once
    took(0.010, now=start)
    assert not here(now=start)  # 26.4 ms: commits go to the driver's thread...
    assert not here(now=start + 0.3)  # ...while the bucket drains at 2 % of the time...
    assert here(now=start + 0.35)  # ...until it is below 20 ms again (after 0.32 s)
    assert aiosqlite_base._slow_commits == pytest.approx(0.0264 - 0.35 * 0.02)


@pytest.mark.usefixtures("quick_commits")
async def test_commits_go_to_the_drivers_thread_while_slow_ones_have_used_their_share(monkeypatch):
    async def commit(name):
        async with transaction.atomic():
            await Author.objects.create(name=name)

    async with traced() as seen:
        await commit("a")  # quick: on the loop's thread
        monkeypatch.setattr(aiosqlite_base, "_slow_commits", aiosqlite_base.SLOW_COMMITS_BURST + 0.001)
        monkeypatch.setattr(aiosqlite_base, "_slow_commits_at", time.perf_counter())
        await commit("b")  # the bucket is full
        monkeypatch.setattr(aiosqlite_base, "_slow_commits_at", time.perf_counter() - 1.0)
        await commit("c")  # a second later it has drained below the burst
    assert _where(seen, "COMMIT") == [True, False, True]
    assert sorted(await Author.objects.values_list("name", flat=True)) == ["a", "b", "c"]


@pytest.mark.usefixtures("quick_commits")
async def test_a_write_in_autocommit_past_the_budget_is_undone_and_run_once_on_the_drivers_thread():
    ann = await Author.objects.create(name="Ann", age=1)
    slow_update = _slow_update()
    async with traced() as seen:
        async with connection.cursor() as cursor:
            await cursor.execute(slow_update, [ann.pk])
            assert cursor.rowcount == 1
    assert _where(seen, "UPDATE") == [True, False]
    assert (await Author.objects.get(pk=ann.pk)).age == 2  # interrupted once, applied once


@pytest.mark.usefixtures("quick_commits")
async def test_the_first_write_of_a_transaction_runs_on_the_loop_thread():
    ann = await Author.objects.create(name="Ann", age=1)
    async with traced() as seen:
        async with transaction.atomic():
            await Author.objects.filter(pk=ann.pk).update(age=2)  # first: on the loop's thread
            await Author.objects.filter(pk=ann.pk).update(age=3)  # after a write: driver's thread
        async with transaction.atomic():
            await Author.objects.filter(pk=ann.pk).aexists()
            await Author.objects.filter(pk=ann.pk).delete()  # after a read: driver's thread
    assert _where(seen, "UPDATE") == [True, False]
    assert set(_where(seen, "DELETE")) == {False}
    assert await Author.objects.filter(pk=ann.pk).aexists() is False


@pytest.mark.usefixtures("quick_commits")
async def test_a_first_write_past_the_budget_is_begun_again_and_applied_once_in_its_transaction():
    ann = await Author.objects.create(name="Ann", age=1)
    slow_update = _slow_update()
    async with traced() as seen:
        async with transaction.atomic():
            async with connection.cursor() as cursor:
                await cursor.execute(slow_update, [ann.pk])
                assert cursor.rowcount == 1
            # The transaction goes on: a later write is part of it, and both commit together.
            await Author.objects.create(name="Bob")
            assert connection.connection._conn.in_transaction
    # Interrupted on the loop's thread (SQLite rolled back the empty transaction), then begun
    # again and run on the driver's thread, in one trip.
    assert _where(seen, "UPDATE") == [True, False]
    assert _where(seen, "BEGIN") == [True, False]
    assert (await Author.objects.get(pk=ann.pk)).age == 2
    assert await Author.objects.filter(name="Bob").aexists()


@pytest.mark.usefixtures("quick_commits")
async def test_a_rolled_back_transaction_keeps_nothing_of_its_first_write():
    ann = await Author.objects.create(name="Ann", age=1)
    with pytest.raises(ZeroDivisionError):
        async with transaction.atomic():
            await Author.objects.filter(pk=ann.pk).update(age=5)
            1 / 0
    assert (await Author.objects.get(pk=ann.pk)).age == 1


async def test_a_read_past_the_budget_runs_again_on_the_drivers_thread():
    aiosqlite_base._over_budget.pop(SLOW_READ, None)
    async with traced() as seen:
        async with connection.cursor() as cursor:
            await cursor.execute(SLOW_READ)
            assert await cursor.fetchone() == (300000,)
            # Known to be slow now: the next run goes to the driver's thread at once.
            await cursor.execute(SLOW_READ)
            assert await cursor.fetchall() == [(300000,)]
    assert _where(seen, "SELECT count(*)") == [True, False, False]


async def test_rows_past_the_first_read_come_in_order_whatever_the_fetches():
    count = aiosqlite_base.PREFETCH_ROWS * 2 + 500
    async with connection.cursor() as cursor:
        await cursor.execute(_numbers(count))
        rows = [await cursor.fetchone() for _ in range(3)]
        rows += await cursor.fetchmany(aiosqlite_base.PREFETCH_ROWS)
        rows += await cursor.fetchmany(5)
        rows += await cursor.fetchall()
        assert await cursor.fetchone() is None
        assert await cursor.fetchmany(10) == []
    assert [i for (i,) in rows] == list(range(1, count + 1))


async def test_a_stream_reads_every_row_in_chunks():
    await Author.objects.abulk_create([Author(name=f"a{i:05}") for i in range(2500)])
    names = [a.name async for a in Author.objects.order_by("name").iterator(chunk_size=700)]
    assert names == [f"a{i:05}" for i in range(2500)]


async def test_a_cursor_closed_before_its_last_row_leaves_the_connection_usable():
    async with connection.cursor() as cursor:
        await cursor.execute(_numbers(aiosqlite_base.PREFETCH_ROWS + 10))
        assert await cursor.fetchone() == (1,)
    async with transaction.atomic():
        await Author.objects.create(name="Ann")
    assert await Author.objects.count() == 1


async def test_statements_on_the_loop_thread_let_other_tasks_run():
    # A task that only runs quick reads never waits for I/O; it must still give way.
    await Author.objects.create(name="Ann")
    async with Ticker() as ticker:
        before = ticker.ticks
        for _ in range(2000):
            await Author.objects.get(name="Ann")
        assert ticker.ticks > before


async def test_a_read_once_past_the_budget_is_tried_on_the_loop_thread_again_later():
    aiosqlite_base._over_budget[SLOW_READ] = 2  # two more runs on the driver's thread
    async with traced() as seen:
        async with connection.cursor() as cursor:
            for _ in range(3):
                await cursor.execute(SLOW_READ)
                assert await cursor.fetchall() == [(300000,)]
    # The third is tried on the loop's thread, is still slow, and runs on the driver's again.
    assert _where(seen, "SELECT count(*)") == [False, False, True, False]
    assert aiosqlite_base._over_budget[SLOW_READ] == aiosqlite_base._OVER_BUDGET_RUNS


FILE_DATABASE_PROGRAM = """
import asyncio, sys
import teapot

teapot.setup({"default": {"ENGINE": "teapot.backends.aiosqlite", "NAME": sys.argv[1], "OPTIONS": {"timeout": 5}}})
from teapot.db import connection, transaction


async def main():
    async with connection.cursor() as cursor:
        await cursor.execute("PRAGMA journal_mode = WAL")
        await cursor.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
    holding = asyncio.Event()

    async def hold_the_write_lock():
        async with transaction.atomic():
            async with connection.cursor() as cursor:
                await cursor.execute("INSERT INTO t (name) VALUES ('holder')")
            holding.set()
            await asyncio.sleep(0.3)

    holder = asyncio.create_task(hold_the_write_lock())
    await holding.wait()
    async with connection.cursor() as cursor:
        await cursor.execute("SELECT count(*) FROM t")  # on the loop's thread: no lock waits
        await cursor.fetchall()
        # Finds the lock taken: runs on the driver's thread, which must wait for it.
        await cursor.execute("INSERT INTO t (name) VALUES ('waiter')")
        await cursor.execute("SELECT name FROM t ORDER BY id")
        print(",".join(name for (name,) in await cursor.fetchall()))
    await holder
    await teapot.close()


asyncio.run(main())
"""


def test_a_write_that_meets_a_file_databases_lock_waits_for_it_after_statements_on_the_loop(tmp_path):
    import subprocess
    import sys

    program = tmp_path / "program.py"
    program.write_text(FILE_DATABASE_PROGRAM)
    result = subprocess.run(
        [sys.executable, str(program), str(tmp_path / "locks.db")], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["holder,waiter"]
