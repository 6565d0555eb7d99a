"""What runs around an endpoint in its own transactions (README "Use with FastAPI /
Starlette"): middleware, StreamingResponse bodies and background tasks never share the
endpoint's transaction. Each statement of theirs leases a connection for itself (or their own
atomic block does), and by the time they run, the endpoint's transaction has committed."""

import asyncio

import pytest
from fastapi import BackgroundTasks, FastAPI, HTTPException, Request
from fastapi.responses import StreamingResponse

from teapot.contrib.fastapi import atomic_request
from teapot.db import connection, transaction
from tests.contrib.asgi import client
from tests.database.testapp.models import Author, Tag

pytestmark = pytest.mark.usefixtures("healthy_after")


async def author_names():
    return sorted(await Author.objects.values_list("name", flat=True))


async def tag_names():
    return sorted(await Tag.objects.values_list("name", flat=True))


async def test_a_middleware_sees_the_committed_write_and_its_own_writes_commit_on_their_own():
    # @app.middleware("http") runs the endpoint in another task; call_next returns when the
    # response starts, after the endpoint's COMMIT (or ROLLBACK).
    app = FastAPI()
    seen_after_the_endpoint = []

    @app.middleware("http")
    async def audit(request: Request, call_next):
        response = await call_next(request)
        seen_after_the_endpoint.append(await author_names())
        await Tag.objects.acreate(name=f"{request.query_params['name']} {response.status_code}")
        return response

    @app.post("/authors", dependencies=[atomic_request()])
    async def create_author(name: str, fail: bool = False):
        await Author.objects.acreate(name=name)
        if fail:
            raise HTTPException(409, "refused")
        return {"name": name}

    async with client(app) as http:
        assert (await http.post("/authors", params={"name": "Ann"})).status_code == 200
        assert (await http.post("/authors", params={"name": "Bob", "fail": True})).status_code == 409
    assert seen_after_the_endpoint == [["Ann"], ["Ann"]]
    assert await author_names() == ["Ann"]
    assert await tag_names() == ["Ann 200", "Bob 409"]  # the audit row of the rolled-back request too


async def test_a_streaming_body_reads_with_a_stream_of_its_own_after_the_commit():
    # The endpoint only builds the queryset; the body iterates it once the response has
    # started, outside any transaction, each chunk read through the stream's own lease.
    app = FastAPI()
    in_a_transaction = []

    @app.post("/authors", dependencies=[atomic_request()])
    async def create_and_list(names: str):
        await Author.objects.abulk_create([Author(name=name) for name in names.split(",")])
        authors = Author.objects.order_by("name")

        async def lines():
            in_a_transaction.append(connection.in_atomic_block)
            async for author in authors.iterator(chunk_size=2):
                yield f"{author.name}\n"

        return StreamingResponse(lines(), media_type="text/plain")

    async with client(app) as http:
        response = await http.post("/authors", params={"names": "Cy,Ann,Bob,Dee,Eve"})
    assert response.text == "Ann\nBob\nCy\nDee\nEve\n"
    assert in_a_transaction == [False]


async def test_a_background_task_runs_after_the_commit_in_transactions_of_its_own():
    app = FastAPI()
    seen = {}

    async def index(name: str):
        seen["in a transaction"] = connection.in_atomic_block
        # Another task, on another connection, sees the request's write: it is committed.
        seen["committed"] = await asyncio.create_task(author_names())
        async with transaction.atomic():  # a transaction of its own, not a savepoint
            seen["savepoint"] = connection.savepoint_ids != []
            await Tag.objects.acreate(name=f"indexed {name}")

    @app.post("/authors", dependencies=[atomic_request()])
    async def create_author(name: str, background_tasks: BackgroundTasks):
        await Author.objects.acreate(name=name)
        background_tasks.add_task(index, name)
        return {"name": name}

    async with client(app) as http:
        assert (await http.post("/authors", params={"name": "Ann"})).json() == {"name": "Ann"}
    assert seen == {"in a transaction": False, "committed": ["Ann"], "savepoint": False}
    assert await tag_names() == ["indexed Ann"]


async def test_a_failing_background_task_leaves_the_committed_request_alone():
    app = FastAPI()

    async def index(name: str):
        async with transaction.atomic():
            await Tag.objects.acreate(name=f"indexed {name}")
            raise RuntimeError("the index is down")

    @app.post("/authors", dependencies=[atomic_request()])
    async def create_author(name: str, background_tasks: BackgroundTasks):
        await Author.objects.acreate(name=name)
        background_tasks.add_task(index, name)
        return {"name": name}

    async with client(app, raise_app_exceptions=False) as http:
        response = await http.post("/authors", params={"name": "Ann"})
    assert response.json() == {"name": "Ann"}  # sent before the background task ran
    assert await author_names() == ["Ann"]
    assert await tag_names() == []


@pytest.fixture
async def nothing_left_afterwards(tables):
    """Set up before teapot_transaction, so checked after it has been rolled back."""
    yield
    assert await author_names() == []


async def test_in_the_shared_test_transaction_the_request_transaction_is_a_savepoint(
    nothing_left_afterwards, teapot_transaction
):
    # A service's own tests (teapot.testing.fixtures): the app's writes are seen by the test
    # and rolled back with everything else at its end.
    app = FastAPI()

    @app.post("/authors", dependencies=[atomic_request()])
    async def create_author(name: str, fail: bool = False):
        await Author.objects.acreate(name=name)
        if fail:
            raise HTTPException(409, "refused")
        return {"name": name}

    async with client(app) as http:
        assert (await http.post("/authors", params={"name": "Ann"})).status_code == 200
        assert (await http.post("/authors", params={"name": "Bob", "fail": True})).status_code == 409
    assert await author_names() == ["Ann"]
