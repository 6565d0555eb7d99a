"""The test mode (teapot/shared_transaction.py, teapot/testing/fixtures.py): one connection
inside one transaction serves every task of a test, and everything written is rolled back at
its end."""

import asyncio
import contextlib

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from teapot.db import OperationalError, connection, transaction
from teapot.shared_transaction import shared_transaction
from tests.database.faults import until
from tests.database.testapp.models import Author, Tag


async def create_author(request):
    author = await Author.objects.acreate(name=request.query_params["name"])
    return JSONResponse({"id": author.pk})


async def stream_names(request):
    async def body():
        await Tag.objects.acreate(name="streamed")  # the body runs in a task of its own
        async for author in Author.objects.order_by("name").iterator(chunk_size=2):
            yield author.name + "\n"

    return StreamingResponse(body(), media_type="text/plain")


class AuditMiddleware(BaseHTTPMiddleware):
    # Runs the endpoint in another task than its own, as @app.middleware("http") does.
    async def dispatch(self, request, call_next):
        await Tag.objects.acreate(name=f"audit {request.url.path}")
        return await call_next(request)


def app():
    application = Starlette(routes=[Route("/authors", create_author, methods=["POST"]), Route("/names", stream_names)])
    application.add_middleware(AuditMiddleware)
    return application


def client():
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app()), base_url="http://test")


@pytest.fixture
async def rows_gone_afterwards(tables):
    """Set up before teapot_transaction, so torn down after it: the test's rows are gone."""
    yield
    assert await Author.objects.acount() == 0
    assert await Tag.objects.acount() == 0


@pytest.fixture
async def author_from_a_fixture(teapot_transaction):
    return await Author.objects.acreate(name="from a fixture")


async def test_rows_from_a_fixture_the_body_and_requests_are_rolled_back(
    rows_gone_afterwards, teapot_transaction, author_from_a_fixture
):
    # The fixture ran in another task; its row is seen here, in the shared transaction.
    assert await Author.objects.filter(pk=author_from_a_fixture.pk).aexists()
    await Author.objects.acreate(name="from the body")
    async with client() as http:
        response = await http.post("/authors", params={"name": "from a request"})
        assert response.status_code == 200
        names = (await http.get("/names")).text.split()
    # The streamed body read the rows of the fixture, the body and the request.
    assert names == ["from", "a", "fixture", "from", "a", "request", "from", "the", "body"]
    assert sorted(await Author.objects.values_list("name", flat=True)) == [
        "from a fixture",
        "from a request",
        "from the body",
    ]
    assert sorted(await Tag.objects.values_list("name", flat=True)) == ["audit /authors", "audit /names", "streamed"]


async def test_the_streamed_body_reads_the_shared_transaction(rows_gone_afterwards, teapot_transaction):
    await Author.objects.abulk_create([Author(name=n) for n in ("b", "a", "c")])
    async with client() as http:
        response = await http.get("/names")
    assert response.text == "a\nb\nc\n"


async def test_an_atomic_block_of_a_task_is_a_savepoint_of_the_shared_transaction(tables):
    async with shared_transaction():
        await Author.objects.acreate(name="kept")
        with pytest.raises(ZeroDivisionError):
            async with transaction.atomic():
                await Author.objects.acreate(name="rolled back to the savepoint")
                1 / 0

        async def other_task():
            async with transaction.atomic(durable=True):
                await Author.objects.acreate(name="other task")

        await asyncio.create_task(other_task())
        assert sorted(await Author.objects.values_list("name", flat=True)) == ["kept", "other task"]
        assert connection.connection is None  # between units of work, nothing is held
    assert await Author.objects.acount() == 0
    assert connection.connection_pool.in_use == 0


async def test_statements_of_concurrent_tasks_take_turns_on_the_one_connection(tables):
    async with shared_transaction():

        async def writer(i):
            async with transaction.atomic():
                await Author.objects.acreate(name=f"w{i}")
                await asyncio.sleep(0.01)  # the others wait: the block holds the connection
                assert await Author.objects.filter(name=f"w{i}").acount() == 1

        await asyncio.gather(*(asyncio.create_task(writer(i)) for i in range(10)))
        assert await Author.objects.acount() == 10
    assert await Author.objects.acount() == 0


@pytest.mark.pool(timeout=0.2)
async def test_a_task_that_holds_the_connection_and_waits_for_another_gets_a_clear_error(tables):
    async with shared_transaction():
        async with transaction.atomic():
            await Author.objects.acreate(name="held")
            with pytest.raises(OperationalError, match="another task held the one connection"):
                await asyncio.create_task(Author.objects.acount())
    assert await Author.objects.acount() == 0


async def test_entering_the_mode_twice_is_refused_and_the_first_goes_on(tables):
    async with shared_transaction():
        await Author.objects.acreate(name="in the first")
        with pytest.raises(RuntimeError, match="already in a shared test transaction"):
            async with shared_transaction():
                pass
        # The refused entry left the first one in place: still one transaction, still shared.
        assert await asyncio.create_task(Author.objects.acount()) == 1
    assert await Author.objects.acount() == 0
    assert connection.connection_pool.in_use == 0


@pytest.mark.pool(timeout=0.2)
async def test_a_task_still_holding_the_connection_at_the_end_loses_nothing_committed(tables):
    release = asyncio.Event()

    async def holder():
        async with transaction.atomic():
            await Author.objects.acreate(name="held at the end")
            await release.wait()

    with pytest.raises(OperationalError, match="another task held"):
        async with shared_transaction():
            task = asyncio.create_task(holder())
            await asyncio.sleep(0.05)
    release.set()
    with contextlib.suppress(Exception):
        await task
    # The mode's connection went back to the pool to be rolled back: nothing was committed.
    await until(lambda: connection.connection_pool.pending == 0)
    assert await Author.objects.acount() == 0
