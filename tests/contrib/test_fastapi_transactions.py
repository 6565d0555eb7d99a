"""atomic_request() (teapot/contrib/fastapi/transactions.py): the endpoint's transaction is committed
before the response starts, and rolled back when the endpoint raises. What the database
holds is read, from another task and connection, at the moment the response starts
(tests/contrib/asgi.py ResponseStartProbe): httpx.ASGITransport hands the client its response
only after the whole ASGI call, so the client alone could not tell."""

from typing import Annotated

import pytest
from fastapi import APIRouter, Depends, FastAPI, HTTPException

from teapot.contrib.fastapi import transactions as fastapi_transactions
from teapot.contrib.fastapi import atomic_request, install_exception_handlers
from teapot.core.exceptions import ImproperlyConfigured
from teapot.db import connections, transaction
from tests.contrib.asgi import LOCKED, ResponseStartProbe, client
from tests.database.harness import DATABASE
from tests.database.testapp.models import Author, Book

pytestmark = pytest.mark.usefixtures("healthy_after")


async def author_names():
    return sorted(await Author.objects.values_list("name", flat=True))


async def book_titles():
    return sorted(await Book.objects.values_list("title", flat=True))


def app_declaring_the_transaction(how: str) -> FastAPI:
    app = FastAPI()

    async def create_author(name: str):
        await Author.objects.acreate(name=name)
        return {"name": name}

    if how == "route":
        app.post("/authors", dependencies=[atomic_request()])(create_author)
    elif how == "router":
        router = APIRouter(dependencies=[atomic_request()])
        router.post("/authors")(create_author)
        app.include_router(router)
    else:  # a parameter of the endpoint

        @app.post("/authors")
        async def create_author_with_parameter(name: str, _: Annotated[None, atomic_request()]):
            return await create_author(name)

    return app


@pytest.mark.parametrize("how", ["route", "router", "parameter"])
async def test_the_write_is_committed_when_the_response_starts(how):
    probe = ResponseStartProbe(app_declaring_the_transaction(how), author_names)
    async with client(probe) as http:
        response = await http.post("/authors", params={"name": "Ann"})
    assert response.status_code == 200
    assert probe.seen == [["Ann"]]


@pytest.fixture
def short_sqlite_lock_wait(monkeypatch):
    # A read of a table another connection is writing waits for its lock, 5 s by default.
    if DATABASE == "sqlite":
        monkeypatch.setitem(connections.settings["default"]["OPTIONS"], "timeout", 0.2)


async def test_a_dependency_of_the_default_scope_would_commit_only_after_the_response_started(
    short_sqlite_lock_wait,
):
    # What atomic_request() avoids: since FastAPI 0.118 the code after a default-scope
    # dependency's yield runs once the response has been sent.
    async def late_transaction():
        async with transaction.atomic():
            yield

    app = FastAPI()

    @app.post("/authors", dependencies=[Depends(late_transaction)])
    async def create_author(name: str):
        await Author.objects.acreate(name=name)
        return {"name": name}

    probe = ResponseStartProbe(app, author_names)
    async with client(probe) as http:
        response = await http.post("/authors", params={"name": "Ann"})
    assert response.status_code == 200
    assert probe.seen == [LOCKED if DATABASE == "sqlite" else []]
    assert await author_names() == ["Ann"]  # committed, but later


def app_that_writes_then_fails(error: Exception) -> FastAPI:
    app = FastAPI()

    @app.post("/authors", dependencies=[atomic_request()])
    async def create_author(name: str):
        await Author.objects.acreate(name=name)
        raise error

    return app


async def test_an_http_exception_from_the_endpoint_rolls_the_write_back():
    probe = ResponseStartProbe(app_that_writes_then_fails(HTTPException(400, "no")), author_names)
    async with client(probe) as http:
        response = await http.post("/authors", params={"name": "Ann"})
    assert (response.status_code, response.json()) == (400, {"detail": "no"})
    assert probe.seen == [[]]
    assert await author_names() == []


async def test_an_unexpected_error_from_the_endpoint_rolls_the_write_back():
    probe = ResponseStartProbe(app_that_writes_then_fails(RuntimeError("boom")), author_names)
    async with client(probe, raise_app_exceptions=False) as http:
        response = await http.post("/authors", params={"name": "Ann"})
    assert response.status_code == 500
    assert probe.seen == [[]]
    assert await author_names() == []


async def test_a_commit_that_fails_becomes_the_response():
    # SQLite and PostgreSQL check Django's foreign keys (DEFERRABLE INITIALLY DEFERRED) at
    # COMMIT: the endpoint returns, then the COMMIT fails, and the client gets the 409 instead
    # of a success. MySQL checks at the INSERT, inside the endpoint.
    returned = []
    app = FastAPI()
    install_exception_handlers(app)

    @app.post("/books", dependencies=[atomic_request()])
    async def create_book():
        await Book.objects.acreate(title="Orphan", author_id=987654)
        returned.append(True)
        return {"created": True}

    probe = ResponseStartProbe(app, book_titles)
    async with client(probe) as http:
        response = await http.post("/books")
    assert response.status_code == 409
    assert returned == ([] if DATABASE == "mysql" else [True])
    assert probe.seen == [[]]
    assert await book_titles() == []


async def test_the_transaction_is_on_the_alias_it_names():
    app = FastAPI()

    @app.get("/blocks", dependencies=[atomic_request("other")])
    async def blocks():
        return {alias: connections[alias].in_atomic_block for alias in ("default", "other")}

    async with client(app) as http:
        response = await http.get("/blocks")
    assert response.json() == {"default": False, "other": True}


@pytest.mark.parametrize("release", ["0.117.1", "0.120.4", "0.121.0"])
def test_a_fastapi_release_that_ends_it_after_the_response_is_refused(monkeypatch, release):
    # 0.121.0 has scope="function", but ends such dependencies after the response when they
    # are declared in a route's or router's dependencies=[...].
    monkeypatch.setattr(fastapi_transactions.fastapi, "__version__", release)
    with pytest.raises(ImproperlyConfigured, match=rf"FastAPI 0\.121\.1 or later.*FastAPI {release} is installed"):
        atomic_request()
