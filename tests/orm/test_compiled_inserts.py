"""INSERTs reuse the SQL compiled for an earlier statement of the same shape, only where
compiling again would give the same SQL, and write exactly what the ordinary path writes."""

import datetime
from decimal import Decimal

import pytest

from teapot import compiled_inserts
from teapot.core.exceptions import ValidationError
from teapot.core.signals import setting_changed
from teapot.db import connection, models
from teapot.db.models import Value
from teapot.db.models.functions import Upper
from teapot.db.models.sql.subqueries import InsertQuery
from teapot.testing.utils import CaptureQueriesContext
from tests.database.harness import DATABASE
from tests.database.testapp.models import Author, Book, Event, Measure, Note

pytestmark = pytest.mark.usefixtures("tables")

UTC = datetime.timezone.utc


@pytest.fixture(autouse=True)
def no_shapes_yet():
    compiled_inserts.forget_all()
    yield
    compiled_inserts.forget_all()


def _shapes_of(model):
    return [compiled for shape, compiled in compiled_inserts._shapes.items() if shape[2] is model]


async def test_a_second_create_of_a_shape_reuses_the_statement_with_its_own_values():
    ann = await Author.objects.create(name="Ann", age=30)
    [compiled] = _shapes_of(Author)
    assert isinstance(compiled, compiled_inserts.CompiledInsert)
    bob = await Author.objects.create(name="Bob", age=41)
    assert _shapes_of(Author) == [compiled]
    assert bob.pk != ann.pk and not bob._state.adding and bob._state.db == "default"
    rows = await Author.objects.order_by("pk").values_list("pk", "name", "age")
    assert rows == [(ann.pk, "Ann", 30), (bob.pk, "Bob", 41)]


async def test_values_are_prepared_by_their_fields_on_the_reused_path():
    at = datetime.datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    for value in (Decimal("1.250"), Decimal("2.5")):
        await Measure.objects.create(value=value, ratio=0.5, at=at)
    assert isinstance(_shapes_of(Measure)[0], compiled_inserts.CompiledInsert)
    rows = await Measure.objects.order_by("pk").values_list("value", "ratio", "at")
    assert rows == [(Decimal("1.250"), 0.5, at), (Decimal("2.500"), 0.5, at)]


async def test_a_bad_value_raises_the_fields_error_on_the_reused_path():
    await Author.objects.create(name="Ann", age=1)
    with pytest.raises(ValueError, match="expected a number"):
        await Author.objects.create(name="Bob", age="many")
    assert await Author.objects.count() == 1


async def test_a_decimal_that_is_not_finite_raises_the_fields_error_on_the_reused_path():
    # A finite Decimal is written as it is; NaN and infinities still reach DecimalField's check.
    await Measure.objects.create(value=Decimal("1.5"))
    assert _shapes_of(Measure)[0].readers[0] == ("value", compiled_inserts.FINITE_DECIMALS, None)
    for bad in (Decimal("NaN"), Decimal("Infinity")):
        with pytest.raises(ValidationError, match="must be a decimal number"):
            await Measure.objects.create(value=bad)
    assert await Measure.objects.values_list("value", flat=True) == [Decimal("1.500")]


async def test_auto_now_gives_each_row_its_own_time():
    first = await Note.objects.create(text="one", stars=1)
    second = await Note.objects.create(text="two", stars=1)
    assert isinstance(_shapes_of(Note)[0], compiled_inserts.CompiledInsert)
    assert second.written > first.written
    stored = dict(await Note.objects.values_list("text", "written"))
    assert stored == {"one": first.written, "two": second.written}


async def test_a_db_default_or_an_expression_takes_the_ordinary_path():
    # stars is left to its db_default: the value is an expression, compiled as DEFAULT.
    for text in ("one", "two"):
        await Note.objects.create(text=text)
    assert _shapes_of(Note) == []
    await Note.objects.create(text="three", stars=5)
    await Note.objects.create(text=Upper(Value("four")), stars=4)  # the same columns
    await Note.objects.create(text="five", stars=6)
    rows = await Note.objects.order_by("pk").values_list("text", "stars")
    assert rows == [("one", 3), ("two", 3), ("three", 5), ("FOUR", 4), ("five", 6)]


async def test_a_field_with_its_own_pre_save_is_never_reused():
    class Shouting(models.CharField):
        def pre_save(self, model_instance, add):
            return getattr(model_instance, self.attname).upper()

    assert not compiled_inserts._plain_fields([Shouting(max_length=5)])
    assert compiled_inserts._plain_fields([Author._meta.get_field("name"), Note._meta.get_field("written")])


async def test_bulk_create_batches_of_any_size_reuse_one_statement():
    ann = await Author.objects.create(name="Ann")
    books = [Book(title=f"t{i}", pages=i, author=ann) for i in range(10)]
    created = await Book.objects.bulk_create(books, batch_size=4)  # 4 + 4 + 2 rows
    assert all(book.pk is not None for book in created)
    [(shape, compiled)] = [(shape, c) for shape, c in compiled_inserts._shapes.items() if shape[2] is Book]
    assert shape[-1] is False  # several rows
    if DATABASE == "postgresql":
        assert compiled.layout is compiled_inserts.COLUMNS  # UNNEST: one text for any count
    else:
        assert compiled.layout is compiled_inserts.ROWS and set(compiled.by_row_count) == {4, 2}
    rows = await Book.objects.order_by("pk").values_list("pk", "title", "pages")
    assert rows == [(book.pk, book.title, book.pages) for book in created]


async def test_the_sql_for_another_row_count_is_what_the_compiler_writes():
    ann = await Author.objects.create(name="Ann")
    await Book.objects.bulk_create([Book(title=f"t{i}", author=ann) for i in range(2)])
    [compiled] = _shapes_of(Book)
    for count in (3, 7):
        books = [Book(title=f"u{i}", author=ann) for i in range(count)]
        fields = [f for f in Book._meta.concrete_fields if not f.primary_key]
        query = InsertQuery(Book)
        query.insert_values(fields, books)
        compiler = query.get_compiler("default")
        compiler.returning_fields = Book._meta.db_returning_fields if connection.features.can_return_rows_from_bulk_insert else None
        [(expected, _)] = compiler.as_sql()
        assert compiled.sql_for(compiler, fields, count) == expected


async def test_bulk_create_with_conflicts_handled_on_the_reused_path():
    day = datetime.date(2026, 5, 1)
    at = datetime.datetime(2026, 5, 1, 12, tzinfo=UTC)
    for round_ in range(2):  # the second round reuses the first's statements
        await Event.objects.bulk_create(
            [Event(name="a", day=day, at=at), Event(name=f"b{round_}", day=day, at=at)], ignore_conflicts=True
        )
    assert sorted(await Event.objects.values_list("name", flat=True)) == ["a", "b0", "b1"]
    if not connection.features.supports_update_conflicts_with_target:
        return
    later = at + datetime.timedelta(hours=1)
    for _ in range(2):
        await Event.objects.bulk_create(
            [Event(name="a", day=day, at=later), Event(name="c", day=day, at=later)],
            update_conflicts=True,
            unique_fields=["name", "day"],
            update_fields=["at"],
        )
    assert dict(await Event.objects.values_list("name", "at")) == {"a": later, "b0": at, "b1": at, "c": later}


async def test_a_setting_change_forgets_every_shape():
    await Author.objects.create(name="Ann")
    assert compiled_inserts._shapes
    setting_changed.send(sender=None, setting="USE_TZ", value=True, enter=True)
    assert not compiled_inserts._shapes


async def test_values_of_other_types_are_still_prepared_by_their_field():
    await Author.objects.create(name="Ann", age=1)
    bob = await Author.objects.create(name="Bob", age="7")  # a str for an IntegerField
    assert isinstance(_shapes_of(Author)[0], compiled_inserts.CompiledInsert)
    assert await Author.objects.filter(pk=bob.pk).values_list("age", flat=True) == [7]


def test_only_the_exact_field_classes_skip_preparing_their_own_value_types():
    class Lowered(models.CharField):
        def get_prep_value(self, value):
            return super().get_prep_value(value).lower()

    name, age = Author._meta.get_field("name"), Author._meta.get_field("age")
    lowered = Lowered(max_length=10)
    lowered.set_attributes_from_name("lowered")
    fields = [name, age, lowered, Note._meta.get_field("written"), Event._meta.get_field("at")]
    readers = compiled_inserts._readers(fields, connection)
    assert readers[0] == ("name", frozenset({str, type(None)}), None)
    assert readers[1] == ("age", frozenset({int, type(None)}), None)  # no backend adapts integers
    assert readers[2] == ("lowered", frozenset(), None)  # a subclass prepares as it likes
    # auto_now: pre_save() is called; an aware datetime goes straight to the backend's adapter
    # (on SQLite and MySQL, to the text that adapter makes).
    preparer = compiled_inserts._aware_datetime_preparer(connection)
    assert readers[3] == (None, frozenset(), preparer)
    # Without auto_now, a datetime field's pre_save() only reads the attribute.
    assert readers[4] == ("at", frozenset(), preparer)
    assert (preparer is compiled_inserts._naive_text_in_connection_zone) == (connection.vendor in ("sqlite", "mysql"))


async def test_an_aware_datetime_is_prepared_as_the_field_would():
    utc = datetime.timezone.utc
    at = datetime.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
    field = Event._meta.get_field("at")
    expected = field.get_db_prep_save(at, connection=connection)
    for prepare in (compiled_inserts._prepare_aware_datetime, compiled_inserts._naive_text_in_connection_zone):
        if prepare is compiled_inserts._naive_text_in_connection_zone and connection.vendor == "postgresql":
            continue  # the driver takes aware datetimes: no text is made
        assert prepare(at, connection) == expected
        # A naive one (made aware with a warning under USE_TZ) and other types are left to the field.
        naive = datetime.datetime(2024, 5, 6, 7, 8, 9)
        assert prepare(naive, connection) is compiled_inserts.UNPREPARED
        assert prepare("2024-05-06", connection) is compiled_inserts.UNPREPARED
    # Written through a reused shape, the instant is the one given.
    for day in (1, 2):
        await Event.objects.create(name=f"e{day}", day=datetime.date(2024, 5, day), at=at)
    assert len(_shapes_of(Event)) == 1
    stored = await Event.objects.order_by("name").values_list("at", flat=True)
    assert [value.astimezone(utc) for value in stored] == [at.astimezone(utc)] * 2


async def test_many_rows_are_prepared_a_column_at_a_time_as_row_by_row():
    at = datetime.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
    rows = [Measure(value=Decimal(i) / 4, ratio=i / 2, at=at) for i in range(compiled_inserts.COLUMNS_FROM)]
    await Measure.objects.bulk_create(rows)  # compiles the shape
    [compiled] = [c for c in _shapes_of(Measure) if isinstance(c, compiled_inserts.CompiledInsert)]
    fields = [f for f in Measure._meta.concrete_fields if not f.primary_key]
    # A value of another type in a column (a str for the float) is prepared by its field.
    rows[3].ratio = "1.5"
    by_column = compiled._value_rows_by_column(connection, fields, rows)
    by_row = [compiled.value_rows(connection, fields, [obj])[0] for obj in rows]
    assert by_column == by_row and by_column[3][1] == 1.5
    # An expression in any row gives up the reused statement, as row by row.
    rows[5].value = Value(Decimal("2"))
    assert compiled._value_rows_by_column(connection, fields, rows) is None
    rows[5].value = Decimal("NaN")
    with pytest.raises(ValidationError):
        compiled._value_rows_by_column(connection, fields, rows)


async def test_a_bulk_create_of_many_rows_writes_what_the_compiler_writes():
    at = datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    for round_ in range(2):  # the second round reuses the shape
        await Event.objects.bulk_create(
            [Event(name=f"r{round_}-{i}", day=datetime.date(2024, 5, 1 + i), at=at) for i in range(10)]
        )
    assert any(isinstance(c, compiled_inserts.CompiledInsert) for c in _shapes_of(Event))
    stored = await Event.objects.filter(name__startswith="r1-").order_by("day").values_list("day", "at")
    assert stored == [(datetime.date(2024, 5, 1 + i), at) for i in range(10)]


@pytest.mark.skipif(DATABASE != "mysql", reason="MariaDB alone can return columns and reads the new id instead")
async def test_a_new_id_alone_is_read_from_the_inserts_reply_on_mariadb():
    assert connection.features.can_return_columns_from_insert  # the server could send RETURNING
    async with CaptureQueriesContext(connection) as captured:
        ann = await Author.objects.create(name="Ann", age=30)  # compiled
    assert "RETURNING" not in captured[0]["sql"]
    bob = await Author.objects.create(name="Bob", age=41)  # the reused statement, sent directly
    chosen = await Author.objects.create(pk=bob.pk + 10, name="Cy", age=7)  # a key given
    after = Author(name="Di")
    await after.save()  # save() of a new object, through the compiler
    assert [shape[7] for shape in compiled_inserts._shapes if shape[2] is Author] == [(), ()]
    assert chosen.pk == bob.pk + 10 and after.pk == chosen.pk + 1
    rows = await Author.objects.order_by("pk").values_list("pk", "name")
    assert rows == [(ann.pk, "Ann"), (bob.pk, "Bob"), (chosen.pk, "Cy"), (after.pk, "Di")]


@pytest.mark.skipif(DATABASE != "mysql", reason="MariaDB alone can return columns and reads the new id instead")
async def test_returning_is_still_sent_for_several_rows_or_more_than_the_id_on_mariadb():
    async with CaptureQueriesContext(connection) as captured:
        authors = await Author.objects.bulk_create([Author(name="Ann"), Author(name="Bob")])
        note = await Note.objects.create(text="one")  # stars comes back from its db_default
    inserts = [query["sql"] for query in captured if query["sql"].startswith("INSERT")]
    assert len(inserts) == 2 and all("RETURNING" in sql for sql in inserts)
    assert note.stars == 3
    assert [a.pk for a in authors] == await Author.objects.order_by("pk").values_list("pk", flat=True)


async def test_a_kept_direct_insert_holds_no_wrapper_of_the_task_that_made_it():
    # Each task has a wrapper of its own; one kept for later creates would outlive its task.
    import asyncio
    import gc
    import weakref

    from teapot.db import connections

    async def creates_twice():
        await Author.objects.create(name="Ann")  # compiled
        await Author.objects.create(name="Bob")  # sent directly: the DirectInsert is kept
        return weakref.ref(connections["default"])

    wrapper = await asyncio.create_task(creates_twice())
    assert compiled_inserts._direct_inserts
    await asyncio.sleep(0)  # the task's done callbacks
    gc.collect()
    assert wrapper() is None
    assert await Author.objects.order_by("pk").values_list("name", flat=True) == ["Ann", "Bob"]
