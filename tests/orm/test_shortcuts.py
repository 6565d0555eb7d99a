"""teapot.shortcuts: Django's get_object_or_404() and get_list_or_404() (and their a-named
twins) raise teapot.http.Http404, with Django's messages, when nothing matches."""

import pytest

from teapot.core.exceptions import MultipleObjectsReturned
from teapot.db.models import Q
from teapot.http import Http404
from teapot.shortcuts import aget_list_or_404, aget_object_or_404, get_list_or_404, get_object_or_404
from tests.database.testapp.models import Author

pytestmark = pytest.mark.usefixtures("healthy_after")

OBJECT_SHORTCUTS = [get_object_or_404, aget_object_or_404]
LIST_SHORTCUTS = [get_list_or_404, aget_list_or_404]


@pytest.fixture
def ann(ann_bob_and_dune):
    return ann_bob_and_dune


@pytest.mark.parametrize("shortcut", OBJECT_SHORTCUTS)
async def test_one_object_from_a_model_a_manager_a_queryset_or_a_related_manager(ann, shortcut):
    assert await shortcut(Author, pk=ann.pk) == ann
    assert await shortcut(Author, Q(name="Ann")) == ann
    assert await shortcut(Author.objects.filter(age=30), name="Ann") == ann
    assert (await shortcut(ann.books, title="Dune")).title == "Dune"


@pytest.mark.parametrize("shortcut", OBJECT_SHORTCUTS)
async def test_no_object_raises_http404_naming_the_model(ann, shortcut):
    with pytest.raises(Http404, match=r"^No Author matches the given query\.$"):
        await shortcut(Author.objects, name="Zoe")
    with pytest.raises(Http404, match=r"^No Book matches the given query\.$"):
        await shortcut(ann.books, title="Emma")


@pytest.mark.parametrize("shortcut", OBJECT_SHORTCUTS)
async def test_several_objects_are_not_a_404(ann, shortcut):
    with pytest.raises(MultipleObjectsReturned):
        await shortcut(Author, age=30)


@pytest.mark.parametrize("shortcut", LIST_SHORTCUTS)
async def test_a_list_or_http404(ann, shortcut):
    assert [a.name for a in await shortcut(Author, age=30)] == ["Ann", "Bob"]
    assert [a.name for a in await shortcut(Author.objects.filter(name="Bob"))] == ["Bob"]
    with pytest.raises(Http404, match=r"^No Author matches the given query\.$"):
        await shortcut(Author.objects, age=99)


@pytest.mark.parametrize("shortcut", OBJECT_SHORTCUTS + LIST_SHORTCUTS)
async def test_something_else_is_refused_with_djangos_message(shortcut):
    expected = rf"^First argument to {shortcut.__name__}\(\) must be a Model, Manager, or QuerySet, not 'str'\.$"
    with pytest.raises(ValueError, match=expected):
        await shortcut("Author", pk=1)
    with pytest.raises(ValueError, match=r"not 'int'\.$"):
        await shortcut(3)
