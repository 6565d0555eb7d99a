"""Fixture files of test cases (teapot.testing.fixture_files): ``fixtures = [...]`` rows are
saved before a class's tests run, by teapot.testing.runner. Before, the attribute was ignored
and the tests found no rows."""

import json

import pytest

from teapot.core.management.base import CommandError
from teapot.testing import TestCase, TransactionTestCase
from teapot.testing.fixture_files import fixture_files, load_fixtures
from teapot.testing.runner import run_classes
from teapot.testing.utils import override_settings
from tests.database.testapp.models import Author, Book, Tag

pytestmark = pytest.mark.usefixtures("tables")

ROWS = [
    # The book comes before the author it names, and names tags saved after it.
    {"model": "testapp.book", "pk": 5, "fields": {"title": "Dune", "pages": 412, "author": 10, "tags": [7, 8], "data": {}}},
    {"model": "testapp.author", "pk": 10, "fields": {"name": "Frank", "age": 60}},
    {"model": "testapp.tag", "pk": 7, "fields": {"name": "desert"}},
    {"model": "testapp.tag", "pk": 8, "fields": {"name": "spice"}},
]
XML = """<?xml version="1.0" encoding="utf-8"?>
<django-objects version="1.0">
  <object model="testapp.author" pk="20"><field name="name" type="CharField">Ursula</field><field name="age" type="IntegerField">88</field></object>
</django-objects>
"""


@pytest.fixture
def fixture_dir(tmp_path):
    (tmp_path / "books.json").write_text(json.dumps(ROWS))
    (tmp_path / "more.xml").write_text(XML)
    with override_settings(FIXTURE_DIRS=[str(tmp_path)]):
        yield tmp_path


def outcomes(results):
    return {test_id.rsplit(".", 1)[-1]: outcome for test_id, (outcome, _detail) in results.items()}


async def test_rows_with_forward_references_are_loaded_and_keys_continue_after_them(fixture_dir):
    await load_fixtures(["books", "more.xml"], "default")
    book = await Book.objects.select_related("author").get(pk=5)
    assert (book.title, book.author.name) == ("Dune", "Frank")
    assert sorted([tag.name async for tag in book.tags.all()]) == ["desert", "spice"]
    assert (await Author.objects.get(pk=20)).name == "Ursula"
    # The sequences moved past the loaded keys: a new row takes the next one.
    assert (await Author.objects.create(name="new")).pk == 21
    assert (await Tag.objects.create(name="new")).pk == 9


def test_labels_name_files_with_or_without_their_extension(fixture_dir):
    assert fixture_files("books") == [(fixture_dir / "books.json", "json")]
    assert fixture_files("more.xml") == [(fixture_dir / "more.xml", "xml")]
    assert fixture_files(str(fixture_dir / "books.json")) == [(fixture_dir / "books.json", "json")]
    with pytest.raises(CommandError, match="No fixture named 'missing' found."):
        fixture_files("missing")


async def test_test_case_classes_load_their_fixtures(fixture_dir):
    seen = {}

    class Cases(TestCase):
        fixtures = ["books"]

        async def test_a(self):
            seen["a"] = await Book.objects.filter(author__name="Frank").acount()
            await Book.objects.all().delete()

        async def test_b(self):
            seen["b"] = await Book.objects.filter(author__name="Frank").acount()

    class Flushed(TransactionTestCase):
        fixtures = ["more"]

        async def test_c(self):
            seen["c"] = await Author.objects.filter(name="Ursula").acount()

    class Missing(TestCase):
        fixtures = ["missing"]

        async def test_d(self):
            pass

    results = await run_classes([Cases, Flushed, Missing])
    assert outcomes(results) == {"test_a": "passed", "test_b": "passed", "test_c": "passed", "test_d": "errored"}
    assert seen == {"a": 1, "b": 1, "c": 1}
    assert await Book.objects.acount() == 0
