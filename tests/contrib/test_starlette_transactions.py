"""atomic_endpoint (teapot/contrib/starlette/transactions.py): a Starlette endpoint's
transaction is committed before its response starts and rolled back when it raises, read
from another task at that moment (tests/contrib/asgi.py ResponseStartProbe)."""

import pytest
from starlette.applications import Starlette
from starlette.endpoints import HTTPEndpoint
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.routing import Route

from teapot.contrib.starlette import atomic_endpoint, install_exception_handlers
from teapot.db import connections
from tests.contrib.asgi import ResponseStartProbe, client
from tests.database.harness import DATABASE
from tests.database.testapp.models import Author, Book

pytestmark = pytest.mark.usefixtures("healthy_after")


async def author_names():
    return sorted(await Author.objects.values_list("name", flat=True))


@atomic_endpoint
async def create_author(request):
    await Author.objects.acreate(name=request.query_params["name"])
    if "fail" in request.query_params:
        raise HTTPException(400, "no")
    return JSONResponse({"name": request.query_params["name"]})


@atomic_endpoint
class Authors(HTTPEndpoint):
    async def post(self, request):
        return await create_author.__wrapped__(request)


def probed(endpoint):
    app = Starlette(routes=[Route("/authors", endpoint, methods=["POST"])])
    return ResponseStartProbe(app, author_names)


@pytest.mark.parametrize("endpoint", [create_author, Authors], ids=["function", "HTTPEndpoint"])
async def test_the_write_is_committed_when_the_response_starts(endpoint):
    probe = probed(endpoint)
    async with client(probe) as http:
        response = await http.post("/authors", params={"name": "Ann"})
    assert response.json() == {"name": "Ann"}
    assert probe.seen == [["Ann"]]


@pytest.mark.parametrize("endpoint", [create_author, Authors], ids=["function", "HTTPEndpoint"])
async def test_an_exception_from_the_endpoint_rolls_the_write_back(endpoint):
    probe = probed(endpoint)
    async with client(probe) as http:
        response = await http.post("/authors", params={"name": "Ann", "fail": "1"})
    assert (response.status_code, response.text) == (400, "no")
    assert probe.seen == [[]]
    assert await author_names() == []


async def test_a_commit_that_fails_becomes_the_response():
    # The foreign key is checked at COMMIT on SQLite and PostgreSQL, at the INSERT on MySQL.
    returned = []

    @atomic_endpoint
    async def create_book(request):
        await Book.objects.acreate(title="Orphan", author_id=987654)
        returned.append(True)
        return JSONResponse({"created": True})

    app = Starlette(routes=[Route("/books", create_book, methods=["POST"])])
    install_exception_handlers(app)
    async with client(app) as http:
        response = await http.post("/books")
    assert response.status_code == 409
    assert returned == ([] if DATABASE == "mysql" else [True])
    assert await Book.objects.acount() == 0


async def test_the_transaction_is_on_the_alias_it_names():
    @atomic_endpoint(using="other")
    async def blocks(request):
        return JSONResponse({alias: connections[alias].in_atomic_block for alias in ("default", "other")})

    async with client(Starlette(routes=[Route("/blocks", blocks)])) as http:
        response = await http.get("/blocks")
    assert response.json() == {"default": False, "other": True}


def test_a_sync_endpoint_is_refused():
    def sync_endpoint(request):
        return JSONResponse({})

    with pytest.raises(TypeError, match="sync_endpoint"):
        atomic_endpoint(sync_endpoint)


def test_an_alias_given_in_place_of_the_endpoint_is_refused():
    with pytest.raises(TypeError, match="using="):
        atomic_endpoint("other")
