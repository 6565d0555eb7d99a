"""A manager's filter(field=value) is built from the template of its shape: the same query as
building it would give, the same errors at the same call, and the usual path elsewhere."""

import pytest

from teapot import filter_templates
from teapot.core.exceptions import FieldError
from teapot.core.signals import setting_changed
from teapot.db import models
from teapot.db.models import Q, QuerySet
from tests.database.testapp.models import Author, Book

pytestmark = pytest.mark.usefixtures("tables")


@pytest.fixture(autouse=True)
def no_templates_yet():
    filter_templates.forget_all()
    yield
    filter_templates.forget_all()


def built_as_usual(**kwargs):
    return Author.objects.all()._filter_or_exclude(False, (), kwargs)


def templates():
    return [t for t in filter_templates._templates.values() if isinstance(t, filter_templates.FilterTemplate)]


def test_a_query_from_a_template_is_the_query_building_gives():
    Author.objects.filter(age__gte=1, name="Ann")
    assert len(templates()) == 1
    for kwargs in ({"age__gte": 5, "name": "Bob"}, {"name": "Cy", "age__gte": 7}):
        from_template, usual = Author.objects.filter(**kwargs).query, built_as_usual(**kwargs).query
        assert str(from_template) == str(usual)
        assert [(type(c), c.lhs, c.rhs) for c in from_template.where.children] == [
            (type(c), c.lhs, c.rhs) for c in usual.where.children
        ]
        rest = {k: v for k, v in from_template.__dict__.items() if k != "where"}
        assert rest == {k: v for k, v in usual.__dict__.items() if k != "where"}
    assert len(templates()) == 1


async def test_results_follow_each_calls_values():
    await Author.objects.create(name="Ann", age=1)
    await Author.objects.create(name="Bob", age=2)
    for age, names in ((1, ["Ann"]), (2, ["Bob"]), (3, [])):
        assert [a.name async for a in Author.objects.filter(age=age)] == names
        assert await Author.objects.filter(age__lte=age).order_by("name").values_list("name", flat=True) == [
            "Ann", "Bob"
        ][: min(age, 2)]


def test_a_bad_value_raises_at_the_filter_call_as_building_does():
    Author.objects.filter(age="1")
    assert templates()
    with pytest.raises(ValueError, match="Field 'age' expected a number but got 'x'"):
        Author.objects.filter(age="x")


def test_a_bad_name_raises_every_time_and_keeps_nothing():
    for _ in range(2):
        with pytest.raises(FieldError, match="Cannot resolve keyword 'nickname' into field"):
            Author.objects.filter(nickname="Ann")
    assert not filter_templates._templates


def test_a_query_changed_after_the_call_leaves_the_template_alone():
    first = Author.objects.filter(age=1)
    first.query.add_q(Q(name="Ann"))
    second = Author.objects.filter(age=1)
    assert len(second.query.where.children) == 1
    third = Author.objects.filter(age=2)
    third.query.add_q(Q(name="Bob"))
    assert len(Author.objects.filter(age=3).query.where.children) == 1
    assert str(Author.objects.filter(age=3).query) == str(built_as_usual(age=3).query)


async def test_shapes_the_template_cannot_rebuild_take_the_usual_path():
    ann = await Author.objects.create(name="Ann", age=1)
    await Book.objects.create(title="Dune", author=ann)
    for _ in range(2):
        assert await Author.objects.filter(books__title="Dune").count() == 1  # a join
        assert await Author.objects.filter(age__in=[1, 2]).count() == 1  # not a plain value
        assert await Book.objects.filter(author=ann).count() == 1  # a model instance
        assert await Author.objects.filter(Q(age=1)).count() == 1  # a Q object
    assert not templates()
    older = Author.objects.filter(age__gte=1)
    assert filter_templates.filtered(older, {"name": "Ann"}) is None  # not a fresh queryset


async def test_a_manager_that_filters_and_a_queryset_class_that_filters_are_respected():
    class Adults(models.Manager):
        def get_queryset(self):
            return super().get_queryset().filter(age__gte=18)

    class OnlyAdults(QuerySet):
        def _filter_or_exclude(self, negate, args, kwargs):
            return super()._filter_or_exclude(negate, args, {**kwargs, "age__gte": 18})

    await Author.objects.create(name="Kid", age=5)
    adults = Adults()
    adults.model = Author
    for _ in range(2):
        assert await adults.filter(name="Kid").count() == 0
        assert await OnlyAdults(Author).filter(name="Kid").count() == 0
        assert await Author.objects.filter(name="Kid").count() == 1


def test_the_templates_are_bounded_and_forgotten_on_a_setting_change(monkeypatch):
    monkeypatch.setattr(filter_templates, "MAX_TEMPLATES", 2)
    for name in ("age", "name", "pk"):
        Author.objects.filter(**{name: 1})
    assert len(filter_templates._templates) == 2
    setting_changed.send(sender=None, setting="USE_TZ", value=True, enter=True)
    assert not filter_templates._templates
