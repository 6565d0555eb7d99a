"""get() reuses the statement compiled for an earlier call of the same shape, only where
compiling again would give the same SQL, and answers exactly as the ordinary path does."""

import datetime
from decimal import Decimal

import pytest

from teapot import compiled_gets
from teapot.db import models
from teapot.db.models import QuerySet
from teapot.core.signals import setting_changed
from tests.database.testapp.models import Author, Book, Event, Measure, Restaurant

pytestmark = pytest.mark.usefixtures("tables")

UTC = datetime.timezone.utc


@pytest.fixture(autouse=True)
def no_shapes_yet():
    compiled_gets.forget_all()
    yield
    compiled_gets.forget_all()


def _shape(queryset, **kwargs):
    return compiled_gets.shape_of(queryset, kwargs)


async def test_a_second_call_of_a_shape_reuses_the_statement_with_its_own_values():
    ann, bob = await Author.objects.create(name="Ann", age=30), await Author.objects.create(name="Bob")
    assert await Author.objects.get(pk=ann.pk) == ann
    compiled = compiled_gets.known(_shape(Author.objects.all(), pk=ann.pk))
    assert isinstance(compiled, compiled_gets.CompiledGet)
    found = await Author.objects.get(pk=bob.pk)
    assert (found.pk, found.name, found.age) == (bob.pk, "Bob", 0)
    assert compiled_gets.known(_shape(Author.objects.all(), pk=bob.pk)) is compiled
    assert not found._state.adding and found._state.db == "default"


async def test_several_lookups_and_comparisons():
    await Author.objects.create(name="Ann", age=30)
    await Author.objects.create(name="Bob", age=40)
    for _ in range(2):  # compiled, then reused
        assert (await Author.objects.get(age__gt=35, name__iexact="bob")).name == "Bob"
        assert (await Author.objects.get(age__lte=30)).name == "Ann"


async def test_rows_are_converted_as_on_the_ordinary_path():
    at = datetime.datetime(2024, 3, 5, 22, 30, tzinfo=UTC)
    first = await Measure.objects.create(value=Decimal("1.250"), ratio=0.5, at=at)
    second = await Measure.objects.create(value=Decimal("2.500"), ratio=1.5, at=at)
    await Measure.objects.get(pk=first.pk)
    found = await Measure.objects.get(pk=second.pk)
    assert found.value == Decimal("2.500") and isinstance(found.value, Decimal)
    assert found.at == at and found.at.tzinfo is not None


async def test_a_foreign_key_by_its_id_and_a_parent_table_by_inheritance():
    ann = await Author.objects.create(name="Ann")
    book = await Book.objects.create(title="Dune", author=ann, data={"n": 1})
    for _ in range(2):
        found = await Book.objects.get(author_id=ann.pk)
        assert (found.pk, found.title, found.author_id, found.data) == (book.pk, "Dune", ann.pk, {"n": 1})
    pizza = await Restaurant.objects.create(name="Roma", serves_pizza=True)
    for _ in range(2):
        found = await Restaurant.objects.get(name="Roma")
        assert (found.pk, found.place_ptr_id, found.serves_pizza) == (pizza.pk, pizza.pk, True)


async def test_no_row_and_too_many_rows_raise_as_django_does():
    await Author.objects.create(name="Ann", age=1)
    await Author.objects.create(name="Bob", age=1)
    for _ in range(2):
        with pytest.raises(Author.DoesNotExist, match="Author matching query does not exist."):
            await Author.objects.get(age=99)
        with pytest.raises(Author.MultipleObjectsReturned, match="it returned 2!"):
            await Author.objects.get(age=1)


async def test_a_bad_value_raises_the_ordinary_error_on_a_reused_statement():
    ann = await Author.objects.create(name="Ann")
    assert await Author.objects.get(pk=str(ann.pk)) == ann  # compiled for str values
    with pytest.raises(ValueError, match="Field 'id' expected a number but got 'x'"):
        await Author.objects.get(pk="x")


async def test_values_that_change_the_sql_take_the_ordinary_path():
    await Restaurant.objects.create(name="Roma", serves_pizza=True)
    await Restaurant.objects.create(name="Kyoto", serves_pizza=False)
    loan_free = await Author.objects.create(name="Ann")
    for pizza, name in ((True, "Roma"), (False, "Kyoto"), (True, "Roma")):
        assert (await Restaurant.objects.get(serves_pizza=pizza)).name == name
    assert _shape(Restaurant.objects.all(), serves_pizza=True) is None
    assert _shape(Book.objects.all(), author=loan_free) is None
    assert _shape(Measure.objects.all(), at=None) is None
    assert await Measure.objects.filter(at=None).acount() == 0


async def test_a_queryset_that_is_not_a_managers_fresh_one_takes_the_ordinary_path():
    await Author.objects.create(name="Ann", age=1)
    await Author.objects.create(name="Bob", age=2)
    older = Author.objects.filter(age__gte=2)
    assert _shape(older, name="Ann") is None
    with pytest.raises(Author.DoesNotExist):
        await older.get(name="Ann")
    assert _shape(Author.objects.defer("age"), name="Ann") is None
    assert _shape(Author.objects.order_by("-name"), name="Ann") is None
    assert _shape(Author.objects.all(), name="Ann") is not None


async def test_a_manager_that_filters_and_a_queryset_that_filters_are_respected():
    class Adults(models.Manager):
        def get_queryset(self):
            return super().get_queryset().filter(age__gte=18)

    class OnlyAdults(QuerySet):
        def filter(self, *args, **kwargs):
            return super().filter(*args, age__gte=18, **kwargs)

    await Author.objects.create(name="Kid", age=5)
    adults = Adults()
    adults.model = Author
    for _ in range(2):
        with pytest.raises(Author.DoesNotExist):
            await adults.get(name="Kid")
        with pytest.raises(Author.DoesNotExist):
            await OnlyAdults(Author).get(name="Kid")
    assert _shape(OnlyAdults(Author), name="Kid") is None


async def test_a_setting_change_forgets_every_statement():
    await Event.objects.create(name="launch", day=datetime.date(2024, 1, 1), at=datetime.datetime(2024, 1, 1, tzinfo=UTC))
    await Event.objects.get(name="launch")
    assert compiled_gets.known(_shape(Event.objects.all(), name="launch")) is not None
    # What teapot's and Django's override_settings send on entering and leaving.
    setting_changed.send(sender=None, setting="USE_TZ", value=True, enter=True)
    assert compiled_gets.known(_shape(Event.objects.all(), name="launch")) is None


async def test_an_integer_out_of_the_columns_range_answers_as_the_ordinary_path():
    ann = await Author.objects.create(name="Ann")
    assert await Author.objects.get(pk=ann.pk) == ann
    with pytest.raises(Author.DoesNotExist):
        await Author.objects.get(pk=2**70)
    assert (await Author.objects.get(age__lt=2**70)).name == "Ann"


async def test_a_bad_filter_raises_djangos_error_and_leases_no_connection():
    from teapot.core.exceptions import FieldError
    from teapot.db import connection

    with pytest.raises(FieldError, match="Cannot resolve keyword 'nickname' into field"):
        await Author.objects.get(nickname="Ann")
    assert connection.connection is None and connection.connection_pool.in_use == 0
