"""Leases (DESIGN §5): a connection is leased for a unit of database work (a statement until
its rows are read, an atomic block, an open cursor or stream, a teapot.connection() scope)
and given back at its end, so an await that does no database work holds nothing."""

import asyncio
import time

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.responses import JSONResponse
from starlette.routing import Route

import teapot
from teapot.db import InterfaceError, connection, connections, transaction
from tests.database.harness import DATABASE
from tests.database.faults import fetch
from tests.database.testapp.models import Author, Tag

pytestmark = pytest.mark.usefixtures("healthy_after")


def pool():
    return connection.connection_pool


async def test_a_statement_holds_its_lease_only_until_its_rows_are_read():
    await Author.objects.acreate(name="Ann")
    assert connection.connection is None and pool().in_use == 0
    assert [a.name async for a in Author.objects.all()] == ["Ann"]
    assert connection.connection is None and pool().in_use == 0


async def test_a_query_with_nothing_to_ask_leases_nothing_for_long():
    assert await Author.objects.none().acount() == 0
    assert await Author.objects.filter(pk__in=[]).acount() == 0
    assert connection.connection is None and pool().in_use == 0


async def test_an_atomic_block_holds_its_lease_until_it_ends():
    async with transaction.atomic():
        await Author.objects.acreate(name="Ann")
        held = connection.connection
        assert held is not None and pool().in_use == 1
        await asyncio.sleep(0.01)
        await Author.objects.acreate(name="Bob")
        assert connection.connection is held
    assert connection.connection is None and pool().in_use == 0
    assert await Author.objects.acount() == 2


async def test_a_failed_atomic_block_gives_its_lease_back_rolled_back():
    with pytest.raises(ZeroDivisionError):
        async with transaction.atomic():
            await Author.objects.acreate(name="Ann")
            1 / 0
    assert connection.connection is None and pool().in_use == 0
    assert await Author.objects.acount() == 0


async def test_a_stream_holds_its_lease_until_it_is_read_to_its_end():
    await Author.objects.abulk_create([Author(name=f"a{i}") for i in range(5)])
    seen = []
    async for author in Author.objects.order_by("pk").iterator(chunk_size=2):
        seen.append(author.name)
        assert pool().in_use == 1
    assert seen == [f"a{i}" for i in range(5)]
    assert connection.connection is None and pool().in_use == 0


async def test_an_open_cursor_holds_its_lease_and_closing_it_ends_the_lease():
    async with connection.cursor() as cursor:
        await cursor.execute("SELECT 1")
        assert await cursor.fetchall() in ([(1,)], ((1,),))
        assert pool().in_use == 1
        await cursor.execute("SELECT 2")
        assert await cursor.fetchone() in ((2,), [2])
    assert connection.connection is None and pool().in_use == 0
    with pytest.raises(InterfaceError, match="lease"):
        await cursor.execute("SELECT 3")


async def test_a_connection_scope_keeps_session_state_from_statement_to_statement():
    if DATABASE == "postgresql":
        set_sql, read_sql = "SET application_name = 'teapot-lease'", "SHOW application_name"
    elif DATABASE == "mysql":
        set_sql, read_sql = "SET @teapot_lease = 'teapot-lease'", "SELECT @teapot_lease"
    else:
        set_sql, read_sql = "PRAGMA cache_size = -4321", "PRAGMA cache_size"
    async with teapot.connection():
        await fetch(set_sql) if DATABASE != "sqlite" else await _execute(set_sql)
        await asyncio.sleep(0.01)
        value = (await fetch(read_sql))[0][0]
        assert value in ("teapot-lease", -4321)
        assert pool().in_use == 1
    assert connection.connection is None and pool().in_use == 0


async def _execute(sql):
    async with connection.cursor() as cursor:
        await cursor.execute(sql)


@pytest.mark.pool(max_size=10)
async def test_thirty_requests_that_query_then_wait_share_ten_connections():
    # Each request runs one query and then awaits something else (an HTTP call) for 1 s: the
    # query's lease ends before the wait, so 30 requests on 10 connections take about 1 s.
    await Author.objects.acreate(name="Ann")

    async def request():
        assert await Author.objects.acount() == 1
        await asyncio.sleep(1)

    started = time.monotonic()
    await asyncio.gather(*(asyncio.create_task(request()) for _ in range(30)))
    elapsed = time.monotonic() - started
    assert elapsed < 1.5, f"30 requests took {elapsed:.2f} s"
    assert pool().size <= 10


@pytest.mark.pool(max_size=1, timeout=2)
async def test_a_middleware_query_and_an_endpoint_query_share_one_connection():
    # FastAPI's @app.middleware("http") (Starlette's BaseHTTPMiddleware) runs the endpoint in a task of
    # its own while the middleware's task waits for it; each makes queries, on a pool of one.
    await Author.objects.acreate(name="Ann")

    async def names(request):
        return JSONResponse([a.name async for a in Author.objects.all()])

    async def audit(request, call_next):
        assert await Author.objects.aexists()  # e.g. the session's user
        response = await call_next(request)
        await Tag.objects.acreate(name=request.url.path)  # e.g. an audit row
        return response

    app = Starlette(routes=[Route("/names", names)], middleware=[Middleware(BaseHTTPMiddleware, dispatch=audit)])

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        responses = await asyncio.gather(*(client.get("/names") for _ in range(20)))
    assert [r.json() for r in responses] == [["Ann"]] * 20
    assert await Tag.objects.acount() == 20
    assert pool().size == 1


@pytest.mark.pool(max_size=5, timeout=30)
async def test_a_thousand_tasks_on_five_connections_never_share_one_at_once():
    # Each task runs three statements and an atomic block. Every lease is recorded: a
    # connection is leased to one task at a time, and every statement runs on a connection
    # leased to the task that sends it.
    leased_to: dict[int, asyncio.Task | None] = {}
    the_pool = pool()
    acquire, release, discard = the_pool.acquire, the_pool.release, the_pool.discard
    misuse = []

    async def recording_acquire(wrapper):
        raw = await acquire(wrapper)
        if leased_to.get(id(raw)) is not None:
            misuse.append(f"{raw!r} leased twice")
        leased_to[id(raw)] = asyncio.current_task()
        return raw

    def recording_release(raw, clean):
        leased_to[id(raw)] = None
        return release(raw, clean)

    def recording_discard(raw, end_session=None):
        leased_to[id(raw)] = None
        return discard(raw, end_session)

    def statement_on_own_lease(execute, sql, params, many, context):
        raw = context["connection"].connection
        if leased_to.get(id(raw)) is not asyncio.current_task():
            misuse.append(f"{sql!r} ran on a connection leased to another task")
        return execute(sql, params, many, context)

    the_pool.acquire, the_pool.release, the_pool.discard = recording_acquire, recording_release, recording_discard

    async def work(i):
        with connections["default"].execute_wrapper(statement_on_own_lease):
            author = await Author.objects.acreate(name=f"t{i}", age=i)
            assert await Author.objects.filter(pk=author.pk).acount() == 1
            async with transaction.atomic():
                await Author.objects.filter(pk=author.pk).aupdate(age=i + 1000)
                # Its own write is seen inside its transaction...
                assert (await Author.objects.aget(pk=author.pk)).age == i + 1000
            # ...and once committed.
            assert await Author.objects.values_list("age", flat=True).aget(pk=author.pk) == i + 1000

    try:
        await asyncio.gather(*(asyncio.create_task(work(i)) for i in range(1000)))
    finally:
        the_pool.acquire, the_pool.release, the_pool.discard = acquire, release, discard
    assert misuse == []
    assert the_pool.size <= 5 and the_pool.in_use == 0 and the_pool.idle == the_pool.size
    ages = sorted(await Author.objects.values_list("age", flat=True))
    assert ages == [i + 1000 for i in range(1000)]


async def test_a_child_task_started_in_an_atomic_block_takes_its_own_lease():
    async with transaction.atomic():
        await Author.objects.acreate(name="Ann")
        mine = connection.connection

        async def child():
            # SQLite's in-memory database locks whole tables: its child reads another one.
            model = Tag if DATABASE == "sqlite" else Author
            names = [row.name async for row in model.objects.all()]
            return names, connection.connection

        names, childs = await asyncio.create_task(child())
        assert childs is None  # its statement's lease ended with the statement
        assert connection.connection is mine
        assert names == []  # outside the transaction: the parent's write is not seen
    assert await Author.objects.acount() == 1
