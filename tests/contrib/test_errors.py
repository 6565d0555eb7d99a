"""install_exception_handlers() (teapot/contrib/starlette/errors.py) on a Starlette and on a
FastAPI app: teapot's exceptions become JSON 404 / 409 / 422 / 503 answers whose bodies do
not quote the SQL, the values or the objects; the details go to the log."""

import asyncio
import logging

import pytest
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from teapot.contrib.starlette import install_exception_handlers
from teapot.core.exceptions import ValidationError
from teapot.db import DataError, transaction
from teapot.db.models.deletion import ProtectedError, RestrictedError
from teapot.shortcuts import get_object_or_404
from tests.contrib.asgi import client
from tests.database.harness import DATABASE
from tests.database.testapp.models import Author, Book

pytestmark = pytest.mark.usefixtures("healthy_after")


async def missing(request: Request):
    await Author.objects.aget(name="nobody")


async def missing_by_shortcut(request: Request):
    await get_object_or_404(Author, name="Ann Secretvalue")


async def duplicate(request: Request):
    await Author.objects.acreate(name="Ann Secretvalue")
    await Author.objects.acreate(name="Ann Secretvalue")


async def too_long(request: Request):
    await Author(name="x" * 150).full_clean()


async def not_one_or_the_other(request: Request):
    raise ValidationError("Give a name or an age, not both.", code="exclusive")


async def too_big(request: Request):
    await Author.objects.acreate(name="Big", age=2**40)
    return JSONResponse({"stored": True})


async def data_error(request: Request):
    raise DataError("value too long for type character varying(10): INSERT INTO secret_table VALUES ('Secretvalue')")


async def protected(request: Request):
    author = await Author.objects.acreate(name="Ann Secretvalue")
    book = await Book.objects.acreate(title="Secret title", author=author)
    raise ProtectedError(f"Cannot delete {author!r}: {book!r} refers to it through Book.author", {book})


async def restricted(request: Request):
    author = await Author.objects.acreate(name="Ann Secretvalue")
    raise RestrictedError(f"Cannot delete {author!r}: restricted", {author})


async def count(request: Request):
    return JSONResponse({"authors": await Author.objects.acount()})


ENDPOINTS = {
    "/missing": missing,
    "/missing-by-shortcut": missing_by_shortcut,
    "/duplicate": duplicate,
    "/too-long": too_long,
    "/not-one-or-the-other": not_one_or_the_other,
    "/too-big": too_big,
    "/data-error": data_error,
    "/protected": protected,
    "/restricted": restricted,
    "/count": count,
}


def starlette_app():
    return Starlette(routes=[Route(path, endpoint) for path, endpoint in ENDPOINTS.items()])


def fastapi_app():
    app = FastAPI()
    for path, endpoint in ENDPOINTS.items():
        app.add_api_route(path, endpoint)
    return app


@pytest.fixture(params=[starlette_app, fastapi_app], ids=["starlette", "fastapi"])
def app(request):
    app = request.param()
    install_exception_handlers(app)
    return app


async def get(app, path):
    async with client(app) as http:
        return await http.get(path)


@pytest.mark.parametrize("path", ["/missing", "/missing-by-shortcut"])
async def test_a_missing_object_is_404(app, path):
    response = await get(app, path)
    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})


async def test_an_integrity_error_is_409_and_its_sql_and_values_stay_in_the_log(app, caplog):
    caplog.set_level(logging.INFO, logger="teapot.contrib")
    response = await get(app, "/duplicate")
    assert response.status_code == 409
    assert response.json() == {"detail": "The change conflicts with the data already stored."}
    for leak in ("Secretvalue", "testapp_author", "INSERT", "UNIQUE", "unique", "Duplicate"):
        assert leak not in response.text
    [record] = [r for r in caplog.records if r.name == "teapot.contrib"]
    assert record.getMessage().startswith("GET /duplicate:")
    assert type(record.exc_info[1]).__name__ == "IntegrityError"


@pytest.mark.parametrize("path", ["/protected", "/restricted"])
async def test_a_delete_refused_by_related_objects_is_409_without_the_objects(app, path):
    response = await get(app, path)
    assert (response.status_code, response.json()) == (
        409,
        {"detail": "Other objects still refer to this one, so it cannot be deleted."},
    )
    for leak in ("Secret", "Author object", "Book object", "Book.author"):
        assert leak not in response.text


async def test_a_validation_error_is_422_with_its_messages_by_field(app):
    response = await get(app, "/too-long")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {"loc": ["name"], "msg": "Ensure this value has at most 100 characters (it has 150).", "type": "max_length"}
        ]
    }
    response = await get(app, "/not-one-or-the-other")
    assert response.json() == {"detail": [{"loc": [], "msg": "Give a name or an age, not both.", "type": "exclusive"}]}


async def test_a_data_error_is_422_without_its_message(app):
    response = await get(app, "/data-error")
    assert response.status_code == 422
    assert response.json() == {"detail": "A value is out of range or malformed for where it is stored."}
    for leak in ("Secretvalue", "secret_table", "varying"):
        assert leak not in response.text


async def test_a_value_the_database_refuses_is_422(app):
    # PostgreSQL and MySQL refuse 2**40 for an integer column; SQLite stores it.
    response = await get(app, "/too-big")
    if DATABASE == "sqlite":
        assert (response.status_code, response.json()) == (200, {"stored": True})
    else:
        assert response.status_code == 422
        assert str(2**40) not in response.text and "age" not in response.json()["detail"]


@pytest.mark.pool(max_size=1, timeout=0.2)
async def test_no_free_connection_is_503(app):
    # Another task holds the pool's one connection in a transaction.
    holding, release = asyncio.Event(), asyncio.Event()

    async def holder():
        async with transaction.atomic():
            await Author.objects.acount()
            holding.set()
            await release.wait()

    task = asyncio.create_task(holder())
    await holding.wait()
    try:
        response = await get(app, "/count")
    finally:
        release.set()
        await task
    assert (response.status_code, response.json()) == (503, {"detail": "The database is busy. Try again later."})
    assert (await get(app, "/count")).json() == {"authors": 0}


async def test_without_the_handlers_a_missing_object_is_a_server_error():
    async with client(starlette_app(), raise_app_exceptions=False) as http:
        response = await http.get("/missing")
    assert response.status_code == 500
