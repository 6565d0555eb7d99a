"""Instances built from full rows store their values directly only where Model.__init__
would do nothing more: init signals, an __init__ of the model's own and deferred fields
still take Django's path."""

import pytest

from teapot import model_rows
from teapot.db import models
from teapot.db.models.signals import post_init, pre_init
from tests.database.testapp.models import Author, Book, Restaurant

pytestmark = pytest.mark.usefixtures("tables")


class CountedAuthor(Author):
    """A proxy whose __init__ counts the instances it makes."""

    made = 0

    class Meta:
        proxy = True
        app_label = "testapp"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        type(self).made += 1


async def test_a_stored_row_is_the_instance_init_would_build():
    ann = await Author.objects.create(name="Ann", age=30)
    await Book.objects.create(title="Dune", author=ann, pages=412)
    assert model_rows.direct_attnames(Book) == ("id", "title", "pages", "author_id", "data")
    loaded = [book async for book in Book.objects.all()]
    built = Book(id=loaded[0].pk, title="Dune", pages=412, author_id=ann.pk, data={})
    assert [(b.pk, b.title, b.pages, b.author_id, b.data) for b in loaded] == [(built.pk, "Dune", 412, ann.pk, {})]
    book = loaded[0]
    assert book._state.adding is False and book._state.db == "default"
    assert book.get_deferred_fields() == set()
    assert {k: v for k, v in vars(book).items() if k != "_state"} == {
        k: v for k, v in vars(built).items() if k != "_state"
    }
    # The relation is loaded as for any instance.
    assert (await Book.objects.select_related("author").get(pk=book.pk)).author == ann


async def test_inherited_fields_are_stored_from_their_parent_table():
    roma = await Restaurant.objects.create(name="Roma", serves_pizza=True)
    assert model_rows.direct_attnames(Restaurant) is not None
    found = await Restaurant.objects.filter(name="Roma")
    assert [(r.pk, r.place_ptr_id, r.name, r.serves_pizza) for r in found] == [(roma.pk, roma.pk, "Roma", True)]


async def test_init_signal_receivers_are_called():
    await Author.objects.create(name="Ann")
    seen = []

    def before(sender, args, kwargs, **extra):
        seen.append(("pre", args))

    def after(sender, instance, **extra):
        seen.append(("post", instance.name))

    pre_init.connect(before, sender=Author)
    post_init.connect(after, sender=Author)
    try:
        assert model_rows.direct_attnames(Author) is None
        assert [a.name for a in await Author.objects.all()] == ["Ann"]
    finally:
        pre_init.disconnect(before, sender=Author)
        post_init.disconnect(after, sender=Author)
    assert [kind for kind, _ in seen] == ["pre", "post"] and seen[1] == ("post", "Ann")


async def test_a_models_own_init_is_called():
    await Author.objects.create(name="Ann")
    CountedAuthor.made = 0
    assert model_rows.direct_attnames(CountedAuthor) is None
    assert [a.name for a in await CountedAuthor.objects.all()] == ["Ann"]
    assert CountedAuthor.made == 1


async def test_a_row_without_every_field_defers_the_rest():
    await Author.objects.create(name="Ann", age=7)
    ann = await Author.objects.only("name").get(name="Ann")
    assert ann.get_deferred_fields() == {"age"}
    assert ann.name == "Ann" and ann._state.adding is False


def test_a_field_whose_descriptor_does_more_than_store_keeps_init():
    class Tracked(models.Field):
        descriptor_class = type("Tracking", (models.query_utils.DeferredAttribute,), {})

        def get_internal_type(self):
            return "IntegerField"

    class WithTrackedField(models.Model):
        tracked = Tracked()

        class Meta:
            app_label = "testapp"
            managed = False

    assert model_rows.direct_attnames(WithTrackedField) is None


# Model(**values) and create(): an instance from keyword values, built as upstream's __init__
# would build it.


class InitCalled(Exception):
    pass


@pytest.fixture
def no_model_init(monkeypatch):
    """Upstream's Model.__init__ raises: an instance built through it makes the test fail."""

    def init(self, *args, **kwargs):
        raise InitCalled(type(self).__name__)

    monkeypatch.setattr(models.Model, "_init_from_arguments", init)


async def test_create_builds_a_plain_instance_without_init(no_model_init):
    await Author.objects.create(name="Warm-up")  # fills the init signals' per-model cache
    ann = await Author.objects.create(name="Ann", age=30)
    book = await Book.objects.create(title="Dune", author_id=ann.pk)
    assert (ann.name, ann.age, book.pages, book.data) == ("Ann", 30, 0, {})
    assert list(vars(book)) == ["_state", "id", "title", "pages", "author_id", "data"]
    assert await Book.objects.values_list("title", "pages", "author_id").aget() == ("Dune", 0, ann.pk)


async def test_a_constructed_plain_instance_skips_upstream_init(no_model_init):
    Author(name="Warm-up")  # fills the init signals' per-model cache
    ann = Author(name="Ann", age=30)
    assert (ann.name, ann.age, ann.pk, ann._state.adding, ann._state.db) == ("Ann", 30, None, True, None)
    with pytest.raises(InitCalled):
        Author("Ann")  # positional values take upstream's path


async def test_values_built_are_those_of_init():
    ann = await Author.objects.create(name="Ann")
    await Book.objects.create(title="Warm-up", author=ann)
    values = {"title": "Dune", "pages": 412, "author_id": ann.pk}
    built = Book.__new__(Book)
    assert model_rows.fill_new(built, values)
    expected = Book.__new__(Book)
    expected._init_from_arguments(**values)
    assert {k: v for k, v in vars(built).items() if k != "_state"} == {
        k: v for k, v in vars(expected).items() if k != "_state"
    }
    assert (built._state.adding, built._state.db) == (True, None)
    # A callable default is called for each instance, as __init__ calls it.
    assert built.data == {} and built.data is not Book(**values).data


async def test_other_names_take_init(monkeypatch):
    ann = await Author.objects.create(name="Ann")
    await Book.objects.create(title="Warm-up", author=ann)
    # A related object by its field's name, an unknown name, a deferred value: __init__ runs.
    for values in ({"author": ann}, {"nonsense": 1}, {"title": models.DEFERRED}):
        untouched = Book.__new__(Book)
        assert not model_rows.fill_new(untouched, values) and vars(untouched) == {}
    init_calls = []
    original_init = models.Model._init_from_arguments

    def counting_init(self, *args, **kwargs):
        init_calls.append(type(self).__name__)
        original_init(self, *args, **kwargs)

    monkeypatch.setattr(models.Model, "_init_from_arguments", counting_init)
    book = await Book.objects.create(title="Dune", author=ann)
    assert init_calls == ["Book"] and book.author is ann


async def test_an_unknown_name_raises_as_in_django():
    with pytest.raises(TypeError, match="Book\\(\\) got unexpected keyword arguments: 'nonsense'"):
        await Book.objects.create(title="Dune", nonsense=1)
    assert await Book.objects.acount() == 0


async def test_init_receivers_see_created_instances():
    seen = []

    def after(sender, instance, **extra):
        seen.append(instance.name)

    post_init.connect(after, sender=Author)
    try:
        await Author.objects.create(name="Ann")
    finally:
        post_init.disconnect(after, sender=Author)
    assert seen == ["Ann"]
