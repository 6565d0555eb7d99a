"""teapot.testing's own behaviour: the test cases run by teapot.testing.runner on the chosen
database. The test classes are defined inside the tests, so that pytest does not collect them
itself."""

import asyncio

import pytest

from teapot.errors import AwaitRequired
from teapot.testing import TestCase, TransactionTestCase
from teapot.testing.runner import run_classes
from tools.conformance.shims import (
    UnavailableError, enext, ev, form_errors, lazy_object, load, loaded_count, rendered, unavailable,
)
from tests.database.testapp.models import Author, Book, Tag

pytestmark = pytest.mark.usefixtures("tables")


def outcomes(results):
    return {test_id.rsplit(".", 1)[-1]: outcome for test_id, (outcome, _detail) in results.items()}


async def test_set_up_test_data_rows_are_visible_to_each_test_and_rolled_back_after_the_class():
    seen = {}

    class Cases(TestCase):
        @classmethod
        async def setUpTestData(cls):
            cls.author = await Author.objects.acreate(name="class data")

        async def test_a(self):
            seen["a"] = await Author.objects.filter(name="class data").acount()
            self.assertEqual(self.author.name, "class data")

        async def test_b(self):
            seen["b"] = await Author.objects.filter(name="class data").acount()

    results = await run_classes([Cases])
    assert set(outcomes(results).values()) == {"passed"}
    assert seen == {"a": 1, "b": 1}
    assert await Author.objects.acount() == 0


async def test_a_class_with_a_database_feature_condition_rolls_its_test_data_back_too():
    # Checking skipUnlessDBFeature on the class connects first; setUpTestData's rows must
    # still go into the class's transaction and go away with it.
    from teapot.testing import skipUnlessDBFeature

    @skipUnlessDBFeature("supports_transactions")
    class Cases(TestCase):
        @classmethod
        async def setUpTestData(cls):
            await Author.objects.acreate(name="conditional class data")

        async def test_sees_it(self):
            self.assertEqual(await Author.objects.filter(name="conditional class data").acount(), 1)

    results = await run_classes([Cases])
    assert outcomes(results) == {"test_sees_it": "passed"}
    assert await Author.objects.acount() == 0


async def test_a_test_case_on_a_database_without_transactions_sets_its_data_up_for_each_test():
    # As Django's TestCase on a MyISAM database: no class transaction, setUpTestData() before
    # each test, the tables emptied after each.
    from unittest import mock

    from teapot.db import connection

    counts = []

    class Cases(TestCase):
        @classmethod
        async def setUpTestData(cls):
            cls.author = await Author.objects.acreate(name=f"data {len(counts)}")

        async def test_1(self):
            counts.append(await Author.objects.acount())

        async def test_2(self):
            counts.append(await Author.objects.acount())
            self.assertEqual(self.author.name, "data 1")

    with mock.patch.object(type(connection.features), "supports_transactions", False):
        results = await run_classes([Cases])
    assert outcomes(results) == {"test_1": "passed", "test_2": "passed"}
    assert counts == [1, 1]
    assert await Author.objects.acount() == 0


async def test_one_tests_writes_are_invisible_to_the_next():
    counts = []

    class Cases(TestCase):
        async def test_1_writes(self):
            await Tag.objects.acreate(name="t")
            counts.append(await Tag.objects.acount())

        async def test_2_reads(self):
            counts.append(await Tag.objects.acount())

    results = await run_classes([Cases])
    assert set(outcomes(results).values()) == {"passed"}
    assert counts == [1, 0]


async def test_assert_num_queries_fails_on_a_wrong_count():
    class Cases(TestCase):
        async def test_right(self):
            async with self.assertNumQueries(1):
                await Author.objects.acount()

        async def test_wrong(self):
            async with self.assertNumQueries(2):
                await Author.objects.acount()

        async def test_callable_form(self):
            await self.assertNumQueries(0, lambda: None)

    results = await run_classes([Cases])
    assert outcomes(results) == {"test_right": "passed", "test_wrong": "failed", "test_callable_form": "passed"}
    assert "1 queries executed, 2 expected" in results[next(k for k in results if k.endswith("test_wrong"))][1]


async def test_capture_on_commit_callbacks_collects_and_runs_hooks():
    ran = []

    class Cases(TestCase):
        async def test_collects(self):
            from teapot.db import transaction

            async with self.captureOnCommitCallbacks() as callbacks:
                transaction.on_commit(lambda: ran.append("collected"))
            self.assertEqual(len(callbacks), 1)
            self.assertEqual(ran, [])

        async def test_executes(self):
            from teapot.db import transaction

            async def hook():
                ran.append("async")
                transaction.on_commit(lambda: ran.append("nested"))

            async with self.captureOnCommitCallbacks(execute=True) as callbacks:
                transaction.on_commit(hook)
            self.assertEqual(len(callbacks), 2)

    results = await run_classes([Cases])
    assert set(outcomes(results).values()) == {"passed"}, results
    assert ran == ["async", "nested"]


async def test_transaction_test_case_flushes_after_each_test():
    counts = []

    class Cases(TransactionTestCase):
        async def test_1_commits(self):
            await Author.objects.acreate(name="committed")
            counts.append(await Author.objects.acount())

        async def test_2_sees_empty_tables(self):
            counts.append(await Author.objects.acount())

    results = await run_classes([Cases])
    assert set(outcomes(results).values()) == {"passed"}
    assert counts == [1, 0]
    assert await Author.objects.acount() == 0


def test_unavailable_stand_in_raises_only_when_used():
    request_class = unavailable("django.http.HttpRequest")
    forms = unavailable("django.forms", "django.forms")

    class Form(forms.Form):  # a base class: defining it works
        field = forms.CharField(max_length=3)

    @unavailable("django.test.utils.requires_tz_support")
    def decorated():
        return 1

    with pytest.raises(UnavailableError, match=r"django\.http\.HttpRequest\(\.\.\.\) is not available: teapot has no django\.http"):
        request_class().method = "GET"
    with pytest.raises(UnavailableError, match="teapot has no django.forms"):
        Form()
    with pytest.raises(UnavailableError):
        decorated()
    with pytest.raises(UnavailableError):
        bool(request_class)


async def test_durable_atomic_blocks_run_inside_a_test_case():
    class Cases(TestCase):
        async def test_durable(self):
            from teapot.db import transaction

            async with transaction.atomic(durable=True):
                await Tag.objects.acreate(name="durable")

    results = await run_classes([Cases])
    assert set(outcomes(results).values()) == {"passed"}, results


async def test_assert_query_set_equal_awaits_an_async_transform():
    class Cases(TestCase):
        async def test_transform(self):
            await Tag.objects.acreate(name="x")

            async def name(tag):
                return tag.name

            await self.assertQuerySetEqual(Tag.objects.all(), ["x"], name)

    results = await run_classes([Cases])
    assert set(outcomes(results).values()) == {"passed"}, results


async def test_assert_query_set_equal_reads_an_iterator_stream():
    class Cases(TestCase):
        async def test_stream(self):
            await Tag.objects.acreate(name="x")
            await Tag.objects.acreate(name="y")
            stream = Tag.objects.order_by("name").iterator(chunk_size=1)
            await self.assertQuerySetEqual(stream, ["x", "y"], lambda tag: tag.name)
            with self.assertRaises(AssertionError):
                await self.assertQuerySetEqual(Tag.objects.order_by("name").iterator(), ["y", "x"], lambda tag: tag.name)

    results = await run_classes([Cases])
    assert set(outcomes(results).values()) == {"passed"}, results


async def test_a_test_whose_ddl_commits_passes_and_the_next_test_runs():
    from teapot.db import connection

    if connection.vendor != "mysql":
        pytest.skip("only MySQL's DDL commits the transaction (and ends the test's savepoint)")
    seen = []

    class Cases(TestCase):
        async def test_a_ddl(self):
            async with connection.cursor() as cursor:
                await cursor.execute("CREATE TABLE testing_ddl_commits (id integer)")
                await cursor.execute("DROP TABLE testing_ddl_commits")
            seen.append("a")

        async def test_b_after(self):
            await Tag.objects.acreate(name="b")
            seen.append("b")

    results = await run_classes([Cases])
    assert set(outcomes(results).values()) == {"passed"}, results
    assert seen == ["a", "b"]
    assert await Tag.objects.acount() == 0  # the second test's row was rolled back


async def test_ev_leaves_a_class_that_defines_aiter_alone():
    from teapot.db.models.query import ModelIterable

    assert await ev(ModelIterable) is ModelIterable
    assert await ev(Author.objects.all()._iterable_class) is ModelIterable


async def test_enext_steps_an_async_iterator_and_ends_as_next_does():
    from teapot.core import serializers

    text = '[{"model": "testapp.tag", "pk": 1, "fields": {"name": "a"}}, {"model": "testapp.tag", "pk": 2, "fields": {"name": "b"}}]'
    rows = serializers.deserialize("json", text)
    assert next(await enext(rows)).object.name == "a"
    assert next(await enext(rows)).object.name == "b"
    with pytest.raises(StopIteration):
        next(await enext(rows))
    assert next(await enext(serializers.deserialize("json", "[]")), None) is None
    numbers = iter([1, 2])
    assert await enext(numbers) is numbers  # a sync iterator: next() steps it itself


async def test_load_with_a_name_computed_at_run_time():
    ann = await Author.objects.create(name="Ann", age=1)
    book = await ann.books.create(title="A")
    book = await Book.objects.get(pk=book.pk)
    name = "author"
    assert await load(book, name) == ann
    assert await load(book, "title") == "A"


async def test_load_of_a_foreign_key_given_as_a_string_gets_the_row_as_django_does():
    # Django's attribute read gets the row by the key as held (a string here), where a
    # prefetch would not match it to the integer key of the row it reads.
    ann = await Author.objects.create(name="Ann", age=1)
    book = Book(title="A", author_id=str(ann.pk))
    await book.save()
    assert await load(book, "author") == ann
    book = Book(title="B", author_id=ann.pk + 1000)
    with pytest.raises(Author.DoesNotExist):
        await load(book, "author")


async def test_loaded_count_counts_loaded_rows_and_refuses_to_query():
    ann = await Author.objects.create(name="Ann", age=1)
    await ann.books.create(title="A")
    await ann.books.create(title="B")
    (loaded,) = await Author.objects.prefetch_related("books")
    assert loaded_count(loaded.books) == 2
    books = Book.objects.all()
    await books
    assert loaded_count(books) == 2
    with pytest.raises(AwaitRequired):
        loaded_count(ann.books)
    with pytest.raises(AwaitRequired):
        loaded_count(Book.objects.all())


async def test_lazy_object_reads_a_query_and_wraps_its_row():
    ann = await Author.objects.create(name="Ann", age=1)
    lazy = await lazy_object(lambda: Author.objects.get(name="Ann"))
    assert lazy.pk == ann.pk
    assert await Author.objects.filter(pk=lazy.pk).acount() == 1
    assert (await lazy_object(lambda: 3)) == 3


async def test_form_errors_validates_a_bound_model_form_first_then_reads_its_errors():
    from teapot import forms

    class AuthorForm(forms.ModelForm):
        class Meta:
            model = Author
            fields = ["name", "age"]

    await Author.objects.create(name="Ann", age=1)
    taken = AuthorForm({"name": "Ann", "age": 2})
    with pytest.raises(AwaitRequired):
        taken.errors
    assert list(await form_errors(taken)) == ["name"]  # the unique check queried
    assert await form_errors(AuthorForm({"name": "Bob", "age": 3})) == {}
    unbound = AuthorForm()
    assert await form_errors(unbound) == {}

    class Failure:
        errors = ["not a form"]

    assert await form_errors(Failure()) == ["not a form"]


async def test_a_tests_child_tasks_write_inside_its_rolled_back_transaction():
    counts = []

    class Cases(TestCase):
        async def test_1_a_child_task_writes(self):
            await asyncio.create_task(Tag.objects.acreate(name="from a child task"))
            counts.append(await Tag.objects.acount())

        async def test_2_reads(self):
            counts.append(await Tag.objects.acount())

    results = await run_classes([Cases])
    assert set(outcomes(results).values()) == {"passed"}, results
    assert counts == [1, 0]
    assert await Tag.objects.acount() == 0


def test_override_settings_with_an_app_that_does_not_import_leaves_the_registry_ready():
    from teapot.apps import apps
    from teapot.testing.utils import override_settings

    before = [config.label for config in apps.get_app_configs()]
    with pytest.raises(ImportError):
        with override_settings(INSTALLED_APPS=["no_such_app_anywhere"]):
            pass
    assert apps.ready
    assert [config.label for config in apps.get_app_configs()] == before


async def test_isolate_apps_on_a_class_gives_each_test_a_registry_of_its_own():
    from teapot.db import models
    from teapot.testing import SimpleTestCase
    from teapot.testing.utils import isolate_apps

    registries = {}

    @isolate_apps("tests.database.testapp", attr_name="apps")
    class Cases(SimpleTestCase):
        async def setUp(self):
            await super().setUp()
            self.registry_in_set_up = self.apps

        def define(self, name):
            class Meta:
                app_label = "testapp"

            model = type("Thing", (models.Model,), {"__module__": __name__, "Meta": Meta})
            registries[name] = self.apps
            self.assertIs(model._meta.apps, self.apps)
            self.assertIs(self.registry_in_set_up, self.apps)

        def test_a(self):
            self.define("a")

        def test_b(self):
            # The same model name again: a registry shared by the class would warn (reload).
            self.define("b")

    results = await run_classes([Cases])
    assert outcomes(results) == {"test_a": "passed", "test_b": "passed"}, results
    assert registries["a"] is not registries["b"]


async def test_rendered_loads_what_str_reads():
    class Titled(Book):
        """A __str__ that reads a relation, as many of Django's test models do."""

        class Meta:
            proxy = True
            app_label = "testapp"

        def __str__(self):
            return f"{self.title} by {self.author.name}"

    ann = await Author.objects.create(name="Ann")
    await Book.objects.create(title="A", author=ann)
    book = await Titled.objects.get(title="A")
    assert await rendered(str, book) == "A by Ann"
    assert await rendered(repr, book) == "<Titled: A by Ann>"
    assert await rendered(repr, 3) == "3"


async def test_available_apps_narrow_the_registry_for_the_test_and_only_their_tables_are_emptied():
    from teapot.apps import apps

    seen = {}
    everything = sorted(config.name for config in apps.get_app_configs())

    class Narrowed(TransactionTestCase):
        available_apps = ["tests.database.testapp"]

        async def test_sees_its_app_only(self):
            seen["apps"] = sorted(config.name for config in apps.get_app_configs())
            await Author.objects.acreate(name="emptied after the test")

    results = await run_classes([Narrowed])
    assert outcomes(results) == {"test_sees_its_app_only": "passed"}
    assert seen["apps"] == ["tests.database.testapp"]
    assert sorted(config.name for config in apps.get_app_configs()) == everything
    assert await Author.objects.acount() == 0


async def test_available_apps_outside_the_installed_ones_error_the_test():
    class Unknown(TransactionTestCase):
        available_apps = ["no_such_app"]

        async def test_never_runs(self):
            pass

    results = await run_classes([Unknown])
    assert outcomes(results) == {"test_never_runs": "errored"}


def test_override_settings_of_routers_replaces_the_routers_already_read():
    from teapot.db import router
    from teapot.testing import override_settings

    class MigratesNothing:
        def allow_migrate(self, db, app_label, **hints):
            return False

    before = list(router.routers)  # read once: the router keeps what it read
    chosen = MigratesNothing()
    with override_settings(DATABASE_ROUTERS=[chosen]):
        assert router.routers == [chosen]
        assert router.allow_migrate("default", "testapp") is False
    assert router.routers == before


async def test_each_test_starts_with_an_empty_query_log():
    from teapot.db import connection
    from teapot.testing.utils import CaptureQueriesContext

    seen = []

    class Cases(TransactionTestCase):
        async def test_1_logs(self):
            async with CaptureQueriesContext(connection):
                await Tag.objects.acount()

        async def test_2_reads_the_log(self):
            seen.append(len(connection.queries_log))

    results = await run_classes([Cases])
    assert set(outcomes(results).values()) == {"passed"}
    assert seen == [0]


FIRST_THING = """
import asyncio, sys
import teapot
teapot.setup(sys.argv[1])
from teapot.testing import TestCase
from teapot.testing.runner import run_classes

class Cases(TestCase):
    async def test_nothing_connected_before(self):
        pass

results = asyncio.run(run_classes([Cases]))
print(sorted(outcome for outcome, _detail in results.values()))
"""


def test_a_test_case_runs_before_anything_connected():
    # Whether the database has transactions is a server fact on MySQL, read when connecting:
    # the runner connects before reading it.
    import subprocess
    import sys

    from tests.database import harness
    from tests.database.databases import database_urls

    url = database_urls(harness.DATABASE)["default"]
    if url.startswith("sqlite"):
        url = "sqlite://:memory:"
    done = subprocess.run([sys.executable, "-c", FIRST_THING, url], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == "['passed']", done.stdout[-3000:]
