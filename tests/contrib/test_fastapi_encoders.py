"""Model instances and querysets in FastAPI's jsonable_encoder (teapot/contrib/fastapi/encoders.py):
an instance is its loaded columns, never ``_state``; a queryset its rows once evaluated."""

from __future__ import annotations

import datetime

import pytest
from fastapi import FastAPI
from fastapi.encoders import jsonable_encoder

import teapot.contrib.fastapi  # noqa: F401 (registers the encoders)
from teapot.contrib.pydantic import Schema
from teapot.errors import AwaitRequired
from tests.contrib.asgi import client
from tests.database.testapp.models import Author, Book, Event

pytestmark = pytest.mark.usefixtures("healthy_after")


@pytest.fixture
async def dune():
    ann = await Author.objects.acreate(name="Ann", age=30)
    return await Book.objects.acreate(title="Dune", author=ann, pages=412, data={"isbn": "0441"})


async def test_an_instance_is_its_columns_without_state_or_relations(dune):
    book = await Book.objects.select_related("author").aget(pk=dune.pk)
    assert jsonable_encoder(book) == {
        "id": dune.pk,
        "title": "Dune",
        "pages": 412,
        "author_id": dune.author_id,
        "data": {"isbn": "0441"},
    }


async def test_values_are_encoded_and_deferred_fields_left_out():
    event = await Event.objects.acreate(
        name="launch", day=datetime.date(2026, 1, 2), at=datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    )
    encoded = jsonable_encoder(await Event.objects.aget(pk=event.pk))
    assert encoded["day"] == "2026-01-02"
    assert encoded["at"].startswith("2026-01-02T03:04:05")
    assert jsonable_encoder(await Event.objects.only("name").aget(pk=event.pk)) == {"id": event.pk, "name": "launch"}


async def test_a_queryset_is_its_rows_once_evaluated(dune):
    books = Book.objects.filter(pk=dune.pk).values_list("title", flat=True)
    with pytest.raises(AwaitRequired):
        jsonable_encoder(books)
    await books
    assert jsonable_encoder(books) == ["Dune"]
    assert [row["title"] for row in jsonable_encoder(await Book.objects.all())] == ["Dune"]


async def test_an_endpoint_returning_an_instance_answers_its_columns(dune):
    app = FastAPI()

    @app.get("/books/{pk}")
    async def book(pk: int):
        return await Book.objects.aget(pk=pk)

    async with client(app) as http:
        response = await http.get(f"/books/{dune.pk}")
    assert response.status_code == 200
    assert response.json() == {"id": dune.pk, "title": "Dune", "pages": 412, "author_id": dune.author_id, "data": {"isbn": "0441"}}


async def test_a_response_model_over_a_relation_not_loaded_raises_await_required(dune):
    class AuthorOut(Schema):
        name: str

    class BookOut(Schema):
        title: str
        author: AuthorOut

    app = FastAPI()

    @app.get("/loaded/{pk}", response_model=BookOut)
    async def loaded(pk: int):
        return await Book.objects.select_related("author").aget(pk=pk)

    @app.get("/forgotten/{pk}", response_model=BookOut)
    async def forgotten(pk: int):
        return await Book.objects.aget(pk=pk)

    async with client(app) as http:
        assert (await http.get(f"/loaded/{dune.pk}")).json() == {"title": "Dune", "author": {"name": "Ann"}}
        with pytest.raises(AwaitRequired, match=r"select_related\('author'\)"):
            await http.get(f"/forgotten/{dune.pk}")
