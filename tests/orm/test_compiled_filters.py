"""exists(), count(), update() and the rows of a plainly filtered queryset reuse the statement
recorded for an earlier call of the same shape, only where compiling again would give the
same SQL, and answer exactly as the ordinary path does."""

import datetime
from decimal import Decimal

import pytest

from teapot import compiled_filters
from teapot.core.signals import setting_changed
from teapot.db import transaction
from teapot.db.models import Avg, Count, Max, Q, Sum, Value
from tests.database.testapp.models import Author, Book, Loan, Measure, Restaurant

pytestmark = pytest.mark.usefixtures("tables")

UTC = datetime.timezone.utc


@pytest.fixture(autouse=True)
def no_shapes_yet():
    compiled_filters.forget_all()
    yield
    compiled_filters.forget_all()


def statements(operation):
    """The statements known for ``operation``, over every shape."""
    return [
        statement for key, states in compiled_filters._shapes.items() if key[0] == operation for _, statement in states
    ]


def compiled(operation):
    return [s for s in statements(operation) if isinstance(s, compiled_filters.CompiledStatement)]


async def authors(*ages):
    return [await Author.objects.create(name=f"author {n}", age=age) for n, age in enumerate(ages)]


async def test_each_operation_is_reused_with_the_values_of_its_own_call():
    await authors(1, 1, 2, 3, 3, 3)
    for age, expected in ((1, 2), (2, 1), (3, 3), (4, 0)):
        matching = Author.objects.filter(age=age)
        assert await matching.exists() is (expected > 0)
        assert await matching.count() == expected
        assert len(await Author.objects.filter(age=age)) == expected
        assert await Author.objects.filter(age=age).update(age=age) == expected
    for operation in ("exists", "count", "fetch", "update"):
        assert len(compiled(operation)) == 1, operation


async def test_values_and_values_list_are_reused_with_the_same_names_and_order():
    ann, bob, cy = await authors(10, 20, 30)
    for low, names in ((10, ["author 0", "author 1", "author 2"]), (20, ["author 1", "author 2"]), (31, [])):
        window = Author.objects.filter(age__gte=low).order_by("age")
        assert await window.values("name", "age") == [{"name": n, "age": int(n[-1]) * 10 + 10} for n in names]
        assert await window.values_list("age", "name") == [(int(n[-1]) * 10 + 10, n) for n in names]
        assert await window.values_list("name", flat=True) == names
        assert [a.name for a in await window] == names
    assert len(compiled("fetch")) == 4


async def test_aggregate_is_reused_per_aliases_and_aggregates_and_converts_as_the_ordinary_path():
    ann, bob = await authors(10, 20)
    await Book.objects.create(title="A", pages=100, author=ann)
    await Book.objects.create(title="B", pages=300, author=ann)
    await Book.objects.create(title="C", pages=50, author=bob)
    for author, expected, longest in ((ann, (2, 400, 200), 300), (bob, (1, 50, 50), 50), (0, (0, None, None), None)):
        books = Book.objects.filter(author=author).order_by("title")
        found = await books.aggregate(n=Count("id"), total=Sum("pages"), mean=Avg("pages"))
        assert found == dict(zip(("n", "total", "mean"), expected))
        assert found["mean"] is None or isinstance(found["mean"], float)
        assert await books.aggregate(Max("pages")) == {"pages__max": longest}
    assert len(compiled("aggregate")) == 2
    reused = await Book.objects.filter(author=ann).aggregate(total=Sum("pages"), mean=Avg("pages"))
    compiled_filters.forget_all()
    usual = await Book.objects.filter(author=ann).aggregate(total=Sum("pages"), mean=Avg("pages"))
    assert {k: type(v) for k, v in reused.items()} == {k: type(v) for k, v in usual.items()}
    compiled_filters.forget_all()
    await Book.objects.filter(author=ann).order_by("title").aggregate(n=Count("id"), total=Sum("pages"), mean=Avg("pages"))
    await Book.objects.filter(author=ann).order_by("title").aggregate(Max("pages"))
    # Other aliases, or the same alias for another aggregate, are shapes of their own.
    assert await Book.objects.filter(author=ann).aggregate(pages=Sum("pages")) == {"pages": 400}
    assert await Book.objects.filter(author=ann).aggregate(total=Max("pages")) == {"total": 300}
    assert await Book.objects.filter(author=ann).aggregate(total=Sum("pages", distinct=True)) == {"total": 400}
    assert len(compiled("aggregate")) == 5
    # Across a relation: the join is the aggregate's, the same for every call of the shape.
    for author, pages in ((ann, 400), (bob, 50)):
        assert await Author.objects.filter(pk=author.pk).aggregate(pages=Sum("books__pages")) == {"pages": pages}
    assert len(compiled("aggregate")) == 6


async def test_aggregates_with_a_filter_a_default_or_values_take_the_usual_path():
    ann, bob = await authors(10, 20)
    await Book.objects.create(title="A", pages=100, author=ann)
    for _ in range(2):
        books = Book.objects.filter(author=ann)
        assert await books.aggregate(n=Count("id", filter=Q(pages__gt=50))) == {"n": 1}
        assert await books.aggregate(n=Count("id", filter=Q(pages__gt=500))) == {"n": 0}
        assert await Book.objects.filter(author=bob).aggregate(total=Sum("pages", default=7)) == {"total": 7}
        assert await books.aggregate(total=Sum(Value(2))) == {"total": 2}
        assert await books.aggregate() == {}
    assert not statements("aggregate")


async def test_rows_annotated_with_aggregates_of_columns_are_reused_with_their_annotations():
    ann, bob, cy = await authors(10, 20, 30)
    for author, pages in ((ann, (100, 300)), (bob, (50,)), (cy, ())):
        for n in pages:
            await Book.objects.create(title=f"{author.name} {n}", pages=n, author=author)
    for low, expected in ((10, [(ann.pk, 2, 400), (bob.pk, 1, 50), (cy.pk, 0, None)]), (20, [(bob.pk, 1, 50), (cy.pk, 0, None)])):
        window = Author.objects.filter(age__gte=low).order_by("pk").annotate(n=Count("books"), pages=Sum("books__pages"))
        assert [(a.pk, a.n, a.pages) for a in await window] == expected
    assert len(compiled("fetch")) == 1
    # The reused statement's values have the types of the usual path's (a driver's SUM may
    # give a Decimal that the field's converter turns into an int).
    reused = await Author.objects.filter(age__gte=10).order_by("pk").annotate(n=Count("books"), pages=Sum("books__pages"))
    compiled_filters.forget_all()
    usual = await Author.objects.filter(age__gte=10).order_by("pk").annotate(n=Count("books"), pages=Sum("books__pages"))
    assert [(type(a.n), type(a.pages)) for a in reused] == [(type(a.n), type(a.pages)) for a in usual]
    assert compiled("fetch")
    # Annotations of another kind, a filter across the join, and values() of annotations
    # take the usual path.
    for _ in range(2):
        assert [a.n for a in await Author.objects.filter(age=10).annotate(n=Count("books", filter=Q(books__pages__gt=99)))] == [2]
        assert [a.n for a in await Author.objects.filter(books__pages=50).annotate(n=Count("books"))] == [1]
        assert [a.n for a in await Author.objects.filter(age=20).annotate(n=Value(1))] == [1]
        assert await Author.objects.filter(age=20).annotate(n=Count("books")).values_list("name", "n") == [("author 1", 1)]
    assert len(compiled("fetch")) == 1


async def test_update_prepares_its_new_values_on_every_call():
    ann, bob = await authors(1, 2)
    assert await Author.objects.filter(pk=ann.pk).update(age=11) == 1
    assert await Author.objects.filter(pk=bob.pk).update(age=22) == 1
    assert await Author.objects.filter(pk=0).update(age=33) == 0
    assert len(compiled("update")) == 1
    assert await Author.objects.order_by("pk").values_list("age", flat=True) == [11, 22]
    # A value the field converts, then one it refuses, on the reused statement.
    assert await Author.objects.filter(pk=ann.pk).update(age="5") == 1
    assert await Author.objects.filter(pk=bob.pk).update(age="6") == 1
    with pytest.raises(ValueError, match="Field 'age' expected a number but got 'x'"):
        await Author.objects.filter(pk=bob.pk).update(age="x")
    assert await Author.objects.order_by("pk").values_list("age", flat=True) == [5, 6]


async def test_a_failed_update_in_a_transaction_marks_it_for_rollback_as_the_ordinary_path_does():
    (ann,) = await authors(1)
    await Author.objects.filter(pk=ann.pk).update(age=2)
    await Author.objects.filter(pk=ann.pk).update(age=3)  # now reused
    assert compiled("update")
    async with transaction.atomic():
        with pytest.raises(ValueError):
            await Author.objects.filter(pk=ann.pk).update(age="x")
        assert transaction.get_rollback()
        transaction.set_rollback(False)


async def test_rows_are_converted_as_on_the_ordinary_path():
    at = datetime.datetime(2024, 3, 5, 22, 30, tzinfo=UTC)
    await Measure.objects.create(value=Decimal("1.250"), ratio=0.5, at=at)
    await Measure.objects.create(value=Decimal("2.500"), ratio=1.5, at=at)
    for ratio, value in ((0.5, Decimal("1.250")), (1.5, Decimal("2.500"))):
        [(found, when)] = await Measure.objects.filter(ratio=ratio).values_list("value", "at")
        assert found == value and isinstance(found, Decimal)
        assert when == at and when.tzinfo is not None
        [measure] = await Measure.objects.filter(ratio=ratio)
        assert measure.value == value and measure.at == at
    assert len(compiled("fetch")) == 2


async def test_queries_that_differ_beyond_their_where_keep_statements_of_their_own():
    await authors(1, 2, 3)
    for _ in range(2):
        assert await Author.objects.filter(age__gte=1).order_by("age").values_list("age", flat=True) == [1, 2, 3]
        assert await Author.objects.filter(age__gte=1).order_by("-age").values_list("age", flat=True) == [3, 2, 1]
        assert await Author.objects.filter(age__gte=1).order_by("age")[:2].values_list("age", flat=True) == [1, 2]
        assert await Author.objects.filter(age__gte=1).order_by("age")[1:].values_list("age", flat=True) == [2, 3]
        assert await Author.objects.filter(age__gte=2).order_by("age")[:1].count() == 1
        assert await Author.objects.filter(age__gte=2).count() == 2
    assert len(compiled("fetch")) == 4


async def test_a_query_changed_in_place_answers_for_its_new_form():
    await authors(1, 1, 1)
    assert await Author.objects.filter(age=1).count() == 3
    assert await Author.objects.filter(age=1).count() == 3  # reused
    changed = Author.objects.filter(age=1)
    changed.query.order_by = ("-name",)
    assert await changed.values_list("name", flat=True) == ["author 2", "author 1", "author 0"]
    changed = Author.objects.filter(age=1)
    changed.query.set_limits(high=2)
    assert await changed.count() == 2
    changed = Author.objects.filter(age=1)
    changed.query.add_q(Q(name="author 1"))
    assert await changed.count() == 1
    assert await changed.exists()


async def test_shapes_whose_sql_depends_on_more_than_the_values_take_the_ordinary_path():
    ann, bob = await authors(1, 2)
    await Book.objects.create(title="Dune", author=ann)
    await Measure.objects.create(value=Decimal("1"), at=None)
    for _ in range(2):
        assert await Author.objects.exclude(age=1).count() == 1  # negated WHERE
        assert await Measure.objects.filter(at=None).count() == 1  # IS NULL
        assert await Author.objects.filter(books__title="Dune").count() == 1  # a join
        assert await Book.objects.filter(author=ann).select_related("author").count() == 1
        assert await Author.objects.filter(age=1).distinct().count() == 1
        assert await Author.objects.filter(age=2).annotate(n=Value(1)).count() == 1
    assert compiled_filters.shape_of(Author.objects.exclude(age=1), "count") is None
    assert compiled_filters.shape_of(Measure.objects.filter(at=None), "count") is None
    assert compiled_filters.shape_of(Author.objects.filter(books__title="Dune"), "count") is None
    assert compiled_filters.shape_of(Author.objects.filter(age=1).distinct(), "count") is None


async def test_an_update_of_a_parent_tables_field_is_not_reused():
    roma = await Restaurant.objects.create(name="Roma", serves_pizza=True)
    kyoto = await Restaurant.objects.create(name="Kyoto", serves_pizza=False)
    for place, name in ((roma, "Roma 2"), (kyoto, "Kyoto 2"), (roma, "Roma 3")):
        assert await Restaurant.objects.filter(pk=place.pk).update(name=name) == 1
    assert not compiled("update")
    assert await Restaurant.objects.order_by("pk").values_list("name", flat=True) == ["Roma 3", "Kyoto 2"]


async def test_an_integer_out_of_the_columns_range_answers_as_the_ordinary_path():
    await authors(1, 2)
    for _ in range(2):
        assert await Author.objects.filter(age=1).count() == 1
        assert await Author.objects.filter(age__lt=3).count() == 2
    assert await Author.objects.filter(age=2**70).count() == 0
    assert await Author.objects.filter(age=2**70).exists() is False
    assert await Author.objects.filter(age__lt=2**70).count() == 2
    assert await Author.objects.filter(age=2**70).update(name="none") == 0


async def test_the_shapes_are_bounded(monkeypatch):
    monkeypatch.setattr(compiled_filters, "MAX_SHAPES", 3)
    monkeypatch.setattr(compiled_filters, "MAX_STATES_PER_SHAPE", 2)
    await authors(1, 2, 3)
    for name in ("age", "pk", "name", "age__gt", "age__lt"):
        await Author.objects.filter(**{name: 1}).count()
    assert len(compiled_filters._shapes) == 3
    for limit in (1, 2, 3, 4):
        assert await Author.objects.filter(age__gte=1)[:limit].values_list("age", flat=True) == [1, 2, 3][:limit]
    assert max(len(states) for states in compiled_filters._shapes.values()) == 2


async def test_a_setting_change_or_a_new_model_forgets_every_statement():
    from teapot.db.models.signals import class_prepared

    await authors(1)
    await Author.objects.filter(age=1).count()
    assert compiled("count")
    # What teapot's and Django's override_settings send on entering and leaving.
    setting_changed.send(sender=None, setting="USE_TZ", value=True, enter=True)
    assert not compiled_filters._shapes
    await Author.objects.filter(age=1).count()
    assert compiled("count")
    class_prepared.send(sender=Author)
    assert not compiled_filters._shapes


async def test_a_failing_first_call_teaches_nothing():
    await authors(1)
    with pytest.raises(ValueError):
        await Author.objects.filter(age=1).update(age="x")
    assert not statements("update")
    assert await Author.objects.filter(age=1).update(age="2") == 1
    assert compiled("update")


async def test_select_related_objects_are_built_for_each_row_of_a_reused_statement():
    ann, bob = await authors(1, 2)
    dune = await Book.objects.create(title="Dune", author=ann, pages=10)
    emma = await Book.objects.create(title="Emma", author=bob, pages=20)
    lent = await Loan.objects.create(book=dune, lender=bob)
    kept = await Loan.objects.create(book=None, lender=ann)
    for pages, title, name in ((10, "Dune", "author 0"), (20, "Emma", "author 1"), (10, "Dune", "author 0")):
        [book] = await Book.objects.filter(pages=pages).select_related("author")
        assert (book.title, book.author.name) == (title, name)
    for loan, lender, title in ((lent, bob, "Dune"), (kept, ann, None), (lent, bob, "Dune")):
        [loan] = await Loan.objects.filter(pk=loan.pk).select_related("book__author", "lender")
        assert loan.lender.pk == lender.pk
        assert (loan.book.title if loan.book else None) == title
        if loan.book:
            assert loan.book.author.name == "author 0"
    assert len(compiled("fetch")) == 2
    assert emma.pk


async def test_in_lists_are_reused_per_count_of_values():
    people = await authors(10, 20, 30, 40)
    ids = [a.pk for a in people]
    assert await Author.objects.filter(pk__in=ids[:2]).values_list("age", flat=True).order_by("age") == [10, 20]
    assert await Author.objects.filter(pk__in=ids[2:]).values_list("age", flat=True).order_by("age") == [30, 40]
    assert await Author.objects.filter(pk__in=ids[1:]).values_list("age", flat=True).order_by("age") == [20, 30, 40]
    # Two lists of two values share one statement; three values make a shape of their own.
    assert len(compiled("fetch")) == 2
    assert await Author.objects.filter(pk__in=ids[:2]).count() == 2
    assert await Author.objects.filter(pk__in=[ids[3], ids[0]]).count() == 2
    assert len(compiled("count")) == 1
    by_id = await Author.objects.in_bulk(ids[:3])
    assert {pk: a.age for pk, a in by_id.items()} == {ids[0]: 10, ids[1]: 20, ids[2]: 30}
    by_id = await Author.objects.in_bulk(ids[1:])
    assert {pk: a.age for pk, a in by_id.items()} == {ids[1]: 20, ids[2]: 30, ids[3]: 40}


async def test_in_lists_with_repeats_or_none_take_the_usual_path():
    people = await authors(10, 20)
    ids = [a.pk for a in people]
    assert await Author.objects.filter(pk__in=[ids[0], ids[0]]).count() == 1
    assert await Author.objects.filter(pk__in=[ids[0], ids[0]]).count() == 1
    assert await Author.objects.filter(pk__in=[ids[1], None]).count() == 1
    assert await Author.objects.filter(pk__in=[ids[1], None]).count() == 1
    assert statements("count") == []
    assert await Author.objects.filter(pk__in=[]).count() == 0


async def test_a_many_to_many_managers_check_reuses_its_statement():
    # With an m2m_changed receiver, add() first reads which targets are linked already
    # (values_list() of the through table filtered by the source and an __in of the
    # targets); later add()s of one target reuse that read, and the links are the usual ones.
    from teapot.db.models.signals import m2m_changed
    from tests.database.testapp.models import Tag

    added = []

    async def note(sender, action, pk_set, **kwargs):
        if action == "post_add":
            added.append(sorted(pk_set))

    ann = (await authors(1))[0]
    books = [await Book.objects.create(title=f"b{i}", author=ann) for i in range(3)]
    red, blue = await Tag.objects.create(name="red"), await Tag.objects.create(name="blue")
    m2m_changed.connect(note, sender=Book.tags.through)
    try:
        for book in books:
            await book.tags.add(red)
            await book.tags.add(red)  # linked already: nothing is added
        await books[0].tags.add(blue)
    finally:
        m2m_changed.disconnect(note, sender=Book.tags.through)
    assert len([s for s in compiled("fetch") if " IN (" in s.sql.upper()]) == 1
    assert added == [[red.pk], [], [red.pk], [], [red.pk], [], [blue.pk]]
    links = await Book.tags.through.objects.order_by("book_id", "tag_id").values_list("book_id", "tag_id")
    assert links == sorted([(b.pk, red.pk) for b in books] + [(books[0].pk, blue.pk)])
