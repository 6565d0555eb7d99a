"""create() of a plain model goes straight to its INSERT (teapot/plain_creates.py), and does
what save(force_insert=True) would; models with receivers, parents or a save() of their own
still go through save()."""

from collections import defaultdict

import pytest

from teapot import compiled_inserts, plain_creates
from teapot.apps.registry import Apps
from teapot.db import IntegrityError, connection, models, transaction
from teapot.db.models import Model, Value
from teapot.db.models.functions import Upper
from teapot.db.models.query import QuerySet
from teapot.db.models.signals import post_save, pre_save
from teapot.testing.utils import CaptureQueriesContext
from tests.database.testapp.models import Author, Book, Note, Restaurant

pytestmark = pytest.mark.usefixtures("tables")


class SaveBaseCalled(Exception):
    pass


@pytest.fixture
def no_save_base(monkeypatch):
    """Model.save_base raises: a create() that reaches it went through save()."""

    async def save_base(self, *args, **kwargs):
        raise SaveBaseCalled(type(self).__name__)

    monkeypatch.setattr(Model, "save_base", save_base)


@pytest.mark.usefixtures("no_save_base")
async def test_a_plain_model_is_inserted_without_save():
    # Receivers are known to be absent once the signals have been sent for the model once.
    await pre_save.asend(sender=Author, instance=None)
    await post_save.asend(sender=Author, instance=None)
    ann = await Author.objects.create(name="Ann", age=30)
    assert ann.pk is not None
    assert (ann._state.adding, ann._state.db) == (False, "default")
    assert await Author.objects.values_list("pk", "name", "age").aget() == (ann.pk, "Ann", 30)


@pytest.mark.usefixtures("no_save_base")
async def test_a_multi_table_child_goes_through_save():
    with pytest.raises(SaveBaseCalled, match="Restaurant"):
        await Restaurant.objects.create(name="Pizza", serves_pizza=True)


async def test_receivers_are_called_as_save_would():
    seen = []

    def before(sender, instance, **kwargs):
        seen.append(("pre", instance.name, instance.pk))

    def after(sender, instance, created, **kwargs):
        seen.append(("post", instance.name, created, instance.pk is not None))

    pre_save.connect(before, sender=Author)
    post_save.connect(after, sender=Author)
    try:
        await Author.objects.create(name="Ann")
    finally:
        pre_save.disconnect(before, sender=Author)
        post_save.disconnect(after, sender=Author)
    assert seen == [("pre", "Ann", None), ("post", "Ann", True, True)]


def test_only_plain_models_have_a_plan():
    isolated = Apps()

    class SavesItself(models.Model):
        async def save(self, *args, **kwargs):
            await super().save(*args, **kwargs)

        class Meta:
            app_label = "plain_creates_tests"
            apps = isolated

    class InsertsItself(models.Model):
        async def _do_insert(self, *args):
            return await super()._do_insert(*args)

        class Meta:
            app_label = "plain_creates_tests"
            apps = isolated

    class AuthorProxy(Author):
        class Meta:
            proxy = True
            app_label = "plain_creates_tests"
            apps = isolated

    plan = plain_creates._plan_for(Author)
    assert [f.name for f in plan.fields_without_pk] == ["name", "age"]
    assert [f.name for f in plan.fields_with_pk] == ["id", "name", "age"]
    for model in (SavesItself, InsertsItself, AuthorProxy, Restaurant, Book.tags.through):
        assert plain_creates._plan_for(model) is None, model


def test_only_a_model_with_relations_has_its_related_objects_checked():
    # The check looks at relation fields only; the unsaved-object test below needs it to run.
    assert plain_creates._plan_for(Author).has_relations is False
    assert plain_creates._plan_for(Book).has_relations is True


async def test_an_error_inside_atomic_marks_the_block_for_rollback():
    await Author.objects.create(name="Ann")
    async with transaction.atomic():
        with pytest.raises(IntegrityError):
            await Author.objects.create(name="Ann")
        assert transaction.get_connection().needs_rollback
    assert await Author.objects.count() == 1


async def test_a_primary_key_given_is_inserted():
    bob = await Author.objects.create(id=500, name="Bob")
    assert bob.pk == 500
    assert await Author.objects.filter(pk=500).values_list("name", flat=True) == ["Bob"]


async def test_an_unsaved_related_object_is_refused_as_save_refuses_it():
    with pytest.raises(ValueError, match="unsaved related object 'author'"):
        await Book.objects.create(title="Dune", author=Author(name="Nobody"))
    assert await Book.objects.count() == 0


async def test_fields_that_fill_themselves_are_filled():
    note = await Note.objects.create(text="hello")
    stored = await Note.objects.aget(pk=note.pk)
    assert note.written is not None and stored.written == note.written
    assert stored.stars == 3


async def test_get_or_create_and_a_related_manager_take_the_same_path():
    ann, created = await Author.objects.get_or_create(name="Ann")
    assert created and not ann._state.adding
    book = await ann.books.create(title="Dune")
    assert (book.author_id, book._state.db) == (ann.pk, "default")


@pytest.fixture
def inserts_through_a_query(monkeypatch):
    """QuerySet._insert, counted: the creates that built an InsertQuery and a compiler. No
    INSERT shape is known to begin with."""
    compiled_inserts.forget_all()
    calls = []
    ordinary = QuerySet._insert

    async def counted(self, *args, **kwargs):
        calls.append(self.model.__name__)
        return await ordinary(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "_insert", counted)
    return calls


async def _known_without_receivers(model):
    await pre_save.asend(sender=model, instance=None)
    await post_save.asend(sender=model, instance=None)


async def test_a_shape_seen_before_is_inserted_without_building_a_query(inserts_through_a_query):
    await _known_without_receivers(Author)
    ann = await Author.objects.create(name="Ann", age=30)
    bob = await Author.objects.create(name="Bob", age=41)
    assert inserts_through_a_query == ["Author"]  # only the first compiled its statement
    assert bob.pk is not None and bob.pk != ann.pk
    assert (bob._state.adding, bob._state.db) == (False, "default")
    assert await Author.objects.filter(pk=bob.pk).values_list("name", "age").aget() == ("Bob", 41)


async def test_the_direct_insert_is_seen_by_query_capture(inserts_through_a_query):
    await _known_without_receivers(Author)
    await Author.objects.create(name="Ann")
    async with CaptureQueriesContext(connection) as captured:
        await Author.objects.create(name="Bob")
    assert inserts_through_a_query == ["Author"]
    assert len(captured) == 1 and captured[0]["sql"].startswith("INSERT INTO")


async def test_an_error_of_the_direct_insert_marks_the_atomic_block_for_rollback(inserts_through_a_query):
    await _known_without_receivers(Author)
    await Author.objects.create(name="Ann")
    async with transaction.atomic():
        with pytest.raises(IntegrityError):
            await Author.objects.create(name="Ann")
        assert transaction.get_connection().needs_rollback
    assert inserts_through_a_query == ["Author"]
    assert await Author.objects.count() == 1


async def test_an_expression_value_takes_the_ordinary_path(inserts_through_a_query):
    await _known_without_receivers(Author)
    await Author.objects.create(name="Ann")
    shouted = await Author.objects.create(name=Upper(Value("bob")))
    assert inserts_through_a_query == ["Author", "Author"]
    assert await Author.objects.filter(pk=shouted.pk).values_list("name", flat=True).aget() == "BOB"


async def test_returned_values_with_converters_take_the_ordinary_path(inserts_through_a_query, monkeypatch):
    await _known_without_receivers(Author)
    await Author.objects.create(name="Ann")
    # Whatever is known of the returned columns' converters: say there is one to apply.
    monkeypatch.setattr(compiled_inserts, "_returned_converters", defaultdict(lambda: {0: ([], None)}))
    bob = await Author.objects.create(name="Bob")
    assert inserts_through_a_query == ["Author", "Author"]
    assert bob.pk is not None


# A manager's create() and the queryset it would build.


@pytest.fixture
def no_querysets(monkeypatch):
    """QuerySet.__init__ raises: a create() that builds a queryset makes the test fail."""

    def init(self, *args, **kwargs):
        raise AssertionError("a queryset was built")

    monkeypatch.setattr(QuerySet, "__init__", init)


async def test_a_manager_creates_without_a_queryset(no_querysets):
    ann = await Author.objects.create(name="Ann", age=30)
    assert (ann.pk is not None, ann._state.db) == (True, "default")
    with pytest.raises(AssertionError, match="a queryset was built"):
        await Author.objects.filter(pk=ann.pk).aexists()


async def test_a_managers_own_queryset_is_used_for_create():
    made = []

    class CountingQuerySet(QuerySet):
        async def create(self, **kwargs):
            made.append(kwargs["name"])
            return await super().create(**kwargs)

    class OwnQuerySetManager(models.Manager):
        def get_queryset(self):
            made.append("get_queryset")
            return super().get_queryset()

    counting = models.Manager.from_queryset(CountingQuerySet)()
    counting.model = Author
    own = OwnQuerySetManager()
    own.model = Author
    await counting.create(name="Ann")
    await own.create(name="Bob")
    assert made == ["Ann", "get_queryset"]
    assert await Author.objects.order_by("name").values_list("name", flat=True) == ["Ann", "Bob"]


async def test_a_managers_database_is_the_one_written_to():
    ann = await Author.objects.db_manager("default").create(name="Ann")
    assert ann._state.db == "default"
    assert Author.objects.create.__doc__ == QuerySet.create.__doc__
    assert Author.objects.create.__name__ == "create"
