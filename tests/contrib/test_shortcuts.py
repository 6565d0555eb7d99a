"""aget_object_or_404() and aget_list_or_404() (teapot/contrib/starlette/shortcuts.py): a
model class, a manager or a queryset; HTTP 404 (Starlette's HTTPException) when nothing
matches, which a FastAPI app answers as JSON."""

import pytest
from fastapi import FastAPI
from starlette.exceptions import HTTPException

from teapot.contrib.fastapi import aget_list_or_404, aget_object_or_404
from teapot.core.exceptions import MultipleObjectsReturned
from tests.contrib.asgi import client
from tests.database.testapp.models import Author

pytestmark = pytest.mark.usefixtures("healthy_after")


@pytest.fixture
def ann(ann_bob_and_dune):
    return ann_bob_and_dune


async def test_an_object_from_a_model_class_a_manager_or_a_queryset(ann):
    assert await aget_object_or_404(Author, pk=ann.pk) == ann
    assert await aget_object_or_404(Author.objects, name="Ann") == ann
    assert await aget_object_or_404(Author.objects.filter(age=30), name="Ann") == ann
    assert (await aget_object_or_404(ann.books, title="Dune")).title == "Dune"  # a related manager


async def test_no_object_is_404(ann):
    for klass in (Author, Author.objects, Author.objects.filter(age=30)):
        with pytest.raises(HTTPException) as caught:
            await aget_object_or_404(klass, name="Zoe")
        assert (caught.value.status_code, caught.value.detail) == (404, "Not found.")


async def test_several_objects_are_not_a_404(ann):
    with pytest.raises(MultipleObjectsReturned):
        await aget_object_or_404(Author, age=30)


async def test_a_list_or_404(ann):
    assert [a.name for a in await aget_list_or_404(Author, age=30)] == ["Ann", "Bob"]
    assert [a.name for a in await aget_list_or_404(Author.objects.filter(name="Bob"))] == ["Bob"]
    with pytest.raises(HTTPException) as caught:
        await aget_list_or_404(Author.objects, age=99)
    assert caught.value.status_code == 404


@pytest.mark.parametrize("shortcut", [aget_object_or_404, aget_list_or_404])
async def test_something_else_than_a_model_manager_or_queryset_is_refused(shortcut):
    expected = rf"First argument to {shortcut.__name__}\(\) must be a Model, Manager, or QuerySet, not 'str'"
    with pytest.raises(ValueError, match=expected):
        await shortcut("Author", pk=1)


async def test_a_fastapi_app_answers_the_404_as_json(ann):
    app = FastAPI()

    @app.get("/authors/{pk}")
    async def author(pk: int):
        return {"name": (await aget_object_or_404(Author, pk=pk)).name}

    async with client(app) as http:
        assert (await http.get(f"/authors/{ann.pk}")).json() == {"name": "Ann"}
        missing = await http.get(f"/authors/{ann.pk + 1000}")
    assert (missing.status_code, missing.json()) == (404, {"detail": "Not found."})
