"""The conformance transformer's rules on small before/after snippets (written for these
tests). The first case of each rule is a no-change case."""

import textwrap

import pytest

from tools.conformance.rules import (
    async_def,
    async_genexp,
    async_with,
    await_calls,
    evaluate_querysets,
    import_helpers,
    hoist_lambdas,
    load_relations,
    rename_imports,
    stamp_header,
    sync_bridges,
    unavailable_imports,
)
from tools.conformance.rules._base import Context
from tools.conformance.transform import transform_source

import libcst as cst

COROUTINES = frozenset({"get", "save", "count", "add", "create", "update", "delete", "check", "refresh_from_db"})
AMBIGUOUS = frozenset({"get", "count", "add", "update"})


def ctx(**kwargs):
    base = dict(coroutines=COROUTINES, ambiguous=AMBIGUOUS, model_attrs=frozenset({"author", "title"}), upstream_path="app/tests.py", version="5.2.19")
    base.update(kwargs)
    return Context(**base)


def run(rule, source, context=None, decide=True):
    context = context or ctx()
    tree = cst.parse_module(textwrap.dedent(source))
    if decide:
        async_def.decide(tree, context)
    return rule.apply(tree, context).code, context


def full(source, **kwargs):
    return transform_source(textwrap.dedent(source), ctx(**kwargs))


def test_rename_imports_leaves_other_imports():
    code, _ = run(rename_imports, "import os\nfrom unittest import mock\n", decide=False)
    assert code == "import os\nfrom unittest import mock\n"


def test_rename_imports_maps_engine_names():
    code, _ = run(
        rename_imports,
        "a = {'ENGINE': 'django.db.backends.sqlite3'}\nb = 'django.db.backends.sqlite3.base'\n",
        decide=False,
    )
    assert "a = {'ENGINE': 'teapot.backends.aiosqlite'}" in code
    assert "b = 'teapot.db.backends.sqlite3.base'" in code


def test_rename_imports():
    code, _ = run(
        rename_imports,
        "from django.db import models\nfrom django.test import TestCase\nfrom django.test.utils import isolate_apps\n"
        "from django.contrib.contenttypes.models import ContentType\nx = 'django.db.models.AutoField'\n",
        decide=False,
    )
    assert "from teapot.db import models" in code
    assert "from teapot.testing import TestCase" in code
    assert "from teapot.testing.utils import isolate_apps" in code
    assert "from teapot.contrib.contenttypes.models import ContentType" in code
    assert "'teapot.db.models.AutoField'" in code


def test_async_def_leaves_module_functions_without_io():
    code, _ = run(async_def, "def helper(x):\n    return x + 1\n")
    assert code == "def helper(x):\n    return x + 1\n"


def test_async_def_tests_hooks_and_transitive_helpers():
    source = """
    def make():
        return Author.objects.create(name="a")

    def uses_make():
        return make()

    class T(TestCase):
        @classmethod
        def setUpTestData(cls):
            pass

        def test_x(self):
            pass

        def __str__(self):
            return "t"

        @property
        def p(self):
            return 1
    """
    code, context = run(async_def, source)
    assert "async def make" in code and "async def uses_make" in code
    assert "async def setUpTestData" in code and "async def test_x" in code
    assert "def __str__" in code and "async def __str__" not in code
    assert "async def p" not in code


def test_async_def_model_overrides():
    source = """
    class Article(models.Model):
        def save(self, *args, **kwargs):
            super().save(*args, **kwargs)

        def __str__(self):
            return "a"
    """
    code, _ = run(async_def, source, ctx(is_test_module=False))
    assert "async def save" in code
    assert "async def __str__" not in code


def test_async_def_model_function_without_receiver_stays_sync():
    source = """
    class Article(models.Model):
        def check():
            return [(1, "1")]

        value = models.IntegerField(choices=check)
    """
    code, _ = run(async_def, source, ctx(is_test_module=False))
    assert "    def check():" in code and "async def check" not in code


def test_await_calls_not_outside_async():
    code, _ = run(await_calls, "x = Author.objects.count()\n")
    assert code == "x = Author.objects.count()\n"


def test_await_calls():
    source = """
    class T(TestCase):
        def test_x(self):
            a = Author.objects.get(pk=1)
            a.save()
            d = {}.get("k")
            s.add(1)
            self.assertRaises(ValueError, Author.objects.get)
            f = lambda: Author.objects.get(pk=1)
    """
    code, _ = run(await_calls, source)
    assert "a = (await Author.objects.get(pk=1))" in code
    assert "(await a.save())" in code
    assert '(await aw({}.get("k")))' in code
    assert "(await aw(s.add(1)))" in code
    assert "(await aw(self.assertRaises(ValueError, Author.objects.get)))" in code
    assert "lambda: Author.objects.get(pk=1)" in code


def test_evaluate_querysets_leaves_literals():
    source = """
    class T(TestCase):
        def test_x(self):
            for i in [1, 2]:
                pass
    """
    code, _ = run(evaluate_querysets, source)
    assert "for i in [1, 2]:" in code


def test_evaluate_querysets():
    source = """
    class T(TestCase):
        def test_x(self):
            for a in Author.objects.all():
                pass
            n = len(qs)
            self.assertSequenceEqual(qs, [a])
            b = a in qs
            first = qs[0]
            c = [x for x in qs]
            g = list(x for x in enumerate(qs))
    """
    code, context = run(evaluate_querysets, source)
    assert "for a in (await ev(Author.objects.all())):" in code
    assert "n = len((await ev(qs)))" in code
    assert "self.assertSequenceEqual((await ev(qs)), [a])" in code
    assert "b = a in (await ev(qs))" in code
    assert "first = (await ev_item(qs, 0))" in code
    assert "c = [x for x in (await ev(qs))]" in code
    assert "enumerate((await ev(qs)))" in code
    assert context.helpers == {"ev", "ev_item"}


def test_load_relations_leaves_other_attributes():
    source = """
    class T(TestCase):
        def test_x(self):
            x = book.name
    """
    code, _ = run(load_relations, source)
    assert "x = book.name" in code


def test_load_relations():
    source = """
    class T(TestCase):
        def test_x(self):
            x = book.author
            book.author = y
            book.author.save()
            z = self.author
    """
    code, _ = run(load_relations, source)
    assert "x = (await load(book, 'author'))" in code
    assert "book.author = y" in code
    assert "(await load(book, 'author')).save()" in code
    assert "z = self.author" in code


def test_async_with_leaves_sync_managers():
    source = """
    class T(TestCase):
        def test_x(self):
            with self.assertRaises(ValueError):
                pass
    """
    code, _ = run(async_with, source)
    assert "    with self.assertRaises(ValueError):" in code


def test_async_with():
    source = """
    class T(TestCase):
        def test_x(self):
            with self.assertNumQueries(1):
                pass
            with transaction.atomic(), self.assertRaises(ValueError):
                pass
            self.atomic.__enter__()
    """
    code, _ = run(async_with, source)
    assert "async with self.assertNumQueries(1):" in code
    assert "async with transaction.atomic():\n            with self.assertRaises(ValueError):" in code
    assert "(await self.atomic.__aenter__())" in code


def test_async_with_awaited_cursor_and_constraint_checks():
    source = """
    class T(TestCase):
        def test_x(self):
            with qs.query.get_compiler("default").execute_sql(CURSOR) as cursor:
                pass
            with connection.constraint_checks_disabled():
                pass
            with self.settings(X=1):
                pass
    """
    code = full(source, coroutines=COROUTINES | {"execute_sql"})
    assert 'async with (await qs.query.get_compiler("default").execute_sql(CURSOR)) as cursor:' in code
    assert "async with connection.constraint_checks_disabled():" in code
    assert "    with self.settings(X=1):" in code


def test_await_calls_teapot_db_functions_and_connection_methods():
    source = """
    class T(TestCase):
        def test_x(self):
            reset_queries()
            connection.ensure_connection()
            signals.pre_save.connect(handler)
    """
    code = full(
        source,
        functions=frozenset({"reset_queries"}),
        coroutines=COROUTINES | {"ensure_connection", "connect"},
        ambiguous=AMBIGUOUS | {"ensure_connection", "connect"},
    )
    assert "(await aw(reset_queries()))" in code
    assert "(await aw(connection.ensure_connection()))" in code
    assert "(await aw(signals.pre_save.connect(handler)))" in code


def test_async_genexp_leaves_plain_generators():
    source = """
    class T(TestCase):
        def test_x(self):
            all(x for x in y)
    """
    code, _ = run(async_genexp, source)
    assert "all(x for x in y)" in code


def test_async_genexp():
    source = """
    class T(TestCase):
        async def test_x(self):
            all((await f(x)) for x in y)
    """
    code, _ = run(async_genexp, source)
    assert "all([(await f(x)) for x in y])" in code


def test_import_helpers_and_header():
    code = full(
        """
        from django.test import TestCase

        class T(TestCase):
            def test_x(self):
                self.assertEqual(len(qs), 1)
        """
    )
    assert code.startswith("# @gen" + "erated by tools/conformance/transform.py from Django 5.2.19: tests/app/tests.py")
    assert "from tools.conformance.shims import ev" in code
    compile(code, "t.py", "exec")


def test_import_helpers_none_needed():
    code, _ = run(import_helpers, "x = 1\n")
    assert code == "x = 1\n"


def test_stamp_header_is_idempotent():
    code, context = run(stamp_header, "x = 1\n", decide=False)
    again, _ = run(stamp_header, code, context, decide=False)
    assert again == code


def test_async_def_leaves_helpers_that_need_no_await():
    source = """
    class T(TestCase):
        def notify(self, x):
            self.notified.append(x)

        def test_x(self):
            self.notify(1)
    """
    code, _ = run(async_def, source)
    assert "    def notify(self, x):" in code and "async def notify" not in code


def test_async_def_helpers_that_evaluate_their_arguments():
    # A helper only ever called, whose body takes len() of or iterates what it is given
    # (a queryset at the call sites), becomes async; so does one given to on_commit.
    source = """
    class T(TestCase):
        def verify(self, results, expected):
            self.assertEqual(len(results), len(expected))

        def done(self, nums):
            self.assertEqual(sorted(t.num for t in Thing.objects.all()), nums)

        def hook(self):
            for t in self.things:
                pass

        def test_x(self):
            self.verify(Author.objects.all(), [1])
            transaction.on_commit(self.hook)
    """
    code = full(source)
    assert "async def verify(self, results, expected):" in code
    assert "async def done(self, nums):" in code
    assert "async def hook(self):" in code
    assert "(await aw(self.verify(Author.objects.all(), [1])))" in code


def test_async_def_helpers_passed_as_values_stay_sync():
    source = """
    class T(TestCase):
        def key(self, obj):
            return len(obj.items)

        def test_x(self):
            sorted(objs, key=self.key)
    """
    code = full(source)
    assert "    def key(self, obj):" in code


def test_hoist_lambdas_leaves_plain_lambdas():
    source = """
    class T(TestCase):
        def test_x(self):
            self.assertRaises(ValueError, lambda: int("x"))
            sorted(xs, key=lambda x: x[0])
    """
    code, _ = run(hoist_lambdas, source, decide=False)
    assert 'lambda: int("x")' in code and "lambda x: x[0]" in code


def test_hoist_lambdas():
    source = """
    class T(TestCase):
        def test_x(self):
            self.assertNumQueries(2, lambda: Restaurant.objects.all()[0].name)
            transaction.on_commit(lambda: [self.notify(t.num) for t in Thing.objects.all()])
            xs = [self.assertRaises(E, lambda: Thing.objects.get(pk=i)) for i in ids]
    """
    code, _ = run(hoist_lambdas, source, decide=False)
    assert "def _lambda_1():\n            return Restaurant.objects.all()[0].name\n" in code
    assert "self.assertNumQueries(2, _lambda_1)" in code
    assert "transaction.on_commit(_lambda_2)" in code
    assert "lambda: Thing.objects.get(pk=i)" in code  # inside a comprehension: left alone
    done = full(source)
    assert "async def _lambda_1():" in done and "await ev_item(Restaurant.objects.all(), 0)" in done
    compile(done, "t.py", "exec")


def test_unavailable_imports_leaves_teapot_modules():
    code, _ = run(unavailable_imports, "from teapot.db import models\nfrom teapot.contrib.contenttypes.models import ContentType\n", decide=False)
    assert code == "from teapot.db import models\nfrom teapot.contrib.contenttypes.models import ContentType\n"


def test_unavailable_imports():
    source = (
        "from teapot.http import HttpRequest as Req, Http404\n"
        "from teapot.db import connection, no_such_name\n"
        "from teapot import forms\n"
    )
    code, context = run(unavailable_imports, source, decide=False)
    assert "Req = unavailable('django.http.HttpRequest', 'django.http')" in code
    assert "Http404 = unavailable('django.http.Http404', 'django.http')" in code
    assert "from teapot.db import connection\nno_such_name = unavailable('django.db.no_such_name', 'django.db.no_such_name')" in code
    assert "forms = unavailable('django.forms', 'django.forms')" in code
    assert context.helpers == {"unavailable"}


def test_sync_bridges_leave_sync_code():
    code, _ = run(sync_bridges, "@async_to_sync\ndef f():\n    return g(1)\n", decide=False)
    assert code == "@async_to_sync\ndef f():\n    return g(1)\n"


def test_sync_bridges():
    source = """
    class T(TestCase):
        @async_to_sync
        async def test_x(self):
            await sync_to_async(Model.objects.create)(field=1)
    """
    code = full(source)
    assert "@async_to_sync" not in code
    assert "await aw(Model.objects.create(field=1))" in code


def test_evaluate_querysets_leaves_plain_slices():
    source = """
    class T(TestCase):
        def test_x(self):
            a = names[1:3]
            b = "abc"[::-1]
    """
    code, _ = run(evaluate_querysets, source)
    assert "a = names[1:3]" in code and 'b = "abc"[::-1]' in code


def test_evaluate_querysets_slices_and_callable_consumers():
    source = """
    class T(TestCase):
        def test_x(self):
            a = Author.objects.raw(q)[0:2]
            b = self.ordered()[::2]
            self.assertSequenceEqual(Author.objects.all()[:1], [x])
            self.assertNumQueries(1, list, qs)
    """
    code, context = run(evaluate_querysets, source)
    assert "a = (await ev_item(Author.objects.raw(q), slice(0, 2, None)))" in code
    assert "b = (await ev_item(self.ordered(), slice(None, None, 2)))" in code
    assert "(await ev((await ev_item(Author.objects.all(), slice(None, 1, None)))))" in code
    assert "self.assertNumQueries(1, ecall, list, qs)" in code
    assert context.helpers == {"ev", "ev_item", "ecall"}


def test_load_relations_getattr_and_hasattr():
    source = """
    class T(TestCase):
        def test_x(self):
            a = getattr(book, "author")
            b = hasattr(book, "author")
            c = hasattr(book, "other")
    """
    code, context = run(load_relations, source)
    assert "a = (await load(book, \"author\"))" in code
    assert "b = (await has(book, \"author\"))" in code
    assert 'c = hasattr(book, "other")' in code
    assert context.helpers == {"load", "has"}


def test_model_attrs_include_model_names(tmp_path):
    from tools.conformance.transform import model_attrs

    (tmp_path / "models.py").write_text(
        "class Place(models.Model):\n    name = models.CharField()\n\n"
        "class Child(Place):\n    pass\n\nclass Plain:\n    pass\n"
    )
    attrs = model_attrs(tmp_path)
    assert {"name", "place", "child"} <= attrs and "plain" not in attrs


def test_model_attrs_include_parent_links(tmp_path):
    # A child model's link to its parent (place_ptr) is made by Django, never declared.
    from tools.conformance.transform import model_attrs

    (tmp_path / "models.py").write_text("class Place(models.Model):\n    name = models.CharField()\n\nclass Restaurant(Place):\n    pass\n")
    assert {"place_ptr", "restaurant_ptr"} <= model_attrs(tmp_path)


def test_evaluate_querysets_local_filter_is_not_the_builtin():
    source = """
    class T(TestCase):
        def test_x(self):
            filter = Item.objects.filter
            a = set(filter(q))
            b = list(filter(None, xs))
    """
    code, _ = run(evaluate_querysets, source)
    assert "a = set((await ev(filter(q))))" in code
    assert "b = list(filter(None, (await ev(xs))))" in code


def test_hoist_lambdas_query_set_equal_transform():
    source = """
    class T(TestCase):
        def test_x(self):
            self.assertQuerySetEqual(qs, rows, lambda r: (r.id, r.title))
            self.assertQuerySetEqual(qs, rows, transform=lambda r: r.title)
            self.assertQuerySetEqual(qs, rows, lambda r: r.id)
    """
    code = full(source)
    assert "async def _lambda_1(r):\n            return (r.id, (await load(r, 'title')))" in code
    assert "async def _lambda_2(r):" in code and "transform=_lambda_2" in code
    assert "lambda r: r.id" in code
    compile(code, "t.py", "exec")


def test_model_attrs_include_foreign_key_attnames(tmp_path):
    from tools.conformance.transform import model_attrs

    (tmp_path / "models.py").write_text("class Book(models.Model):\n    author = models.ForeignKey(Author, models.CASCADE)\n")
    assert {"author", "author_id"} <= model_attrs(tmp_path)


def test_evaluate_querysets_unpacking():
    source = """
    class T(TestCase):
        def test_x(self):
            a, b = Author.objects.order_by("pk")
            c = d = 1
            (e, f) = (1, 2)
    """
    code, _ = run(evaluate_querysets, source)
    assert 'a, b = (await ev(Author.objects.order_by("pk")))' in code
    assert "c = d = 1" in code and "(e, f) = (1, 2)" in code


def test_await_calls_functions_taken_from_a_list():
    source = """
    class T(TestCase):
        def test_x(self):
            def a():
                Author.objects.create(name="a")

            def key(x):
                return x

            for test in [a]:
                test()
            sorted(xs, key=key)
    """
    code = full(source)
    assert "async def a():" in code and "    def key(x):" in code
    assert "(await aw(test()))" in code


def test_names_sync_methods_of_query_and_q_are_ambiguous():
    from tools.conformance.names import ambiguous_names, coroutine_names

    # QuerySet.exists / Manager.create are coroutines; Query.exists and Q.create are not.
    assert {"exists", "create"} <= coroutine_names()
    assert {"exists", "create"} <= ambiguous_names()
    assert "aggregate" not in ambiguous_names()


def test_load_relations_reads_inside_assignment_targets():
    source = """
    class T(TestCase):
        def test_x(self):
            book.author.title = "x"
            book.author = y
            a, book.author = 1, 2
            del book.author
    """
    code, _ = run(load_relations, source)
    assert "(await load(book, 'author')).title = \"x\"" in code
    assert "book.author = y" in code and "a, book.author = 1, 2" in code
    assert "del book.author" in code


def test_build_app_awaits_functions_imported_from_sibling_modules(tmp_path):
    from tools.conformance.transform import build_app

    app = tmp_path / "tests" / "shop"
    app.mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text(
        textwrap.dedent(
            """\
            from django.db import models

            class Item(models.Model):
                name = models.CharField(max_length=9)

            def make_item(name):
                item = Item(name=name)
                item.save()
                return item
            """
        )
    )
    (app / "tests.py").write_text(
        textwrap.dedent(
            """\
            from django.test import TestCase
            from .models import make_item as make

            class T(TestCase):
                def helper(self):
                    return make("b")

                def test_it(self):
                    item = make("a")
                    self.helper()
            """
        )
    )
    out = tmp_path / "out"
    manifest = build_app("shop", tmp_path / "tests", out, attrs={"name"})
    assert manifest["failures"] == {}
    code = (out / "shop" / "tests.py").read_text()
    assert "async def helper(self):" in code
    assert "item = (await aw(make(\"a\")))" in code
    assert "(await aw(self.helper()))" in code
    assert "async def make_item(name):" in (out / "shop" / "models.py").read_text()


def test_async_def_nested_receiver_named_like_a_signal_attribute():
    code = full(
        """
        class T(TestCase):
            def test_x(self):
                def pre_delete(sender, **kwargs):
                    seen.append([a.pk for a in kwargs["instance"].item_set.all()])
                signals.pre_delete.connect(pre_delete)
                signals.pre_delete.disconnect(pre_delete)
        """
    )
    assert "async def pre_delete(sender, **kwargs):" in code
    assert '(await ev(kwargs["instance"].item_set.all()))' in code


def test_await_calls_coroutine_functions_imported_from_teapot():
    code = full(
        """
        from django.db.models import prefetch_related_objects as pro
        from other import get

        class T(TestCase):
            def test_x(self):
                pro(authors, "books")
                get(1)

        def helper(objs):
            pro(objs, "books")
        """,
        coroutines=COROUTINES | {"prefetch_related_objects"},
    )
    assert '(await pro(authors, "books"))' in code
    assert "        get(1)" in code
    assert "async def helper(objs):" in code


def test_coroutine_names_include_contenttypes_and_prefetch_one_level():
    from tools.conformance.names import coroutine_names

    names = coroutine_names()
    assert {"get_for_model", "get_for_models", "get_for_id", "get_object_for_this_type"} <= names
    assert {"prefetch_related_objects", "prefetch_one_level"} <= names
    assert "rows" not in names  # a function nested in a method is no method


def test_load_relations_getattr_with_a_computed_name():
    source = """
    class T(TestCase):
        def test_x(self):
            a = getattr(obj, part[0])
            b = getattr(obj, "title")
            c = getattr(obj, "colour")
            d = getattr(obj, name, None)
    """
    code, _ = run(load_relations, source)
    assert "a = (await load(obj, part[0]))" in code
    assert "b = (await load(obj, \"title\"))" in code
    assert 'c = getattr(obj, "colour")' in code
    assert "d = getattr(obj, name, None)" in code


def test_await_calls_per_field_model_methods():
    source = """
    class T(TestCase):
        def test_x(self):
            a = e.get_next_by_day()
            b = e.get_previous_by_at(name="x")
            c = e.get_next_byline()
            with self.assertRaises(ValueError):
                e.get_next_by_day()
    """
    plain, _ = run(await_calls, source)
    assert "a = e.get_next_by_day()" in plain  # without the prefixes, no await
    code, _ = run(await_calls, source, ctx(coroutine_prefixes=("get_next_by_", "get_previous_by_")))
    assert "a = (await e.get_next_by_day())" in code
    assert 'b = (await e.get_previous_by_at(name="x"))' in code
    assert "c = e.get_next_byline()" in code
    assert "        with self.assertRaises(ValueError):\n            (await e.get_next_by_day())" in code


def test_async_def_helper_calling_a_per_field_model_method():
    source = """
    def neighbour(e):
        return e.get_next_by_day()
    """
    code = full(source, coroutine_prefixes=("get_next_by_",))
    assert "async def neighbour(e):" in code
    assert "return (await e.get_next_by_day())" in code


def test_await_calls_per_related_ordering_model_method():
    source = """
    class T(TestCase):
        def test_x(self):
            q.set_answer_order([3, 1, 2])
            settings.set_answer_order_x()
    """
    plain, _ = run(await_calls, source)
    assert "    q.set_answer_order([3, 1, 2])" in plain
    code, _ = run(await_calls, source, ctx(coroutine_patterns=(r"set_[a-z0-9_]+_order",)))
    assert "(await q.set_answer_order([3, 1, 2]))" in code
    assert "    settings.set_answer_order_x()" in code


def test_names_per_field_and_per_ordering_model_coroutines():
    from tools.conformance.names import coroutine_names, coroutine_patterns, coroutine_prefixes

    assert coroutine_prefixes() == ("get_next_by_", "get_previous_by_")
    assert coroutine_patterns() == (r"set_[a-z0-9_]+_order",)
    assert {"get_next_in_order", "get_previous_in_order"} <= coroutine_names()


def test_assertion_helper_awaits_the_callable_it_is_given():
    # A helper shaped like assertRaises(exc, func): the callable may be a coroutine function
    # (obj.full_clean), so the helper is async, awaits the call's result when it can and is
    # awaited where it is called, in its own module or one that imports its class.
    source = """
    class Checks:
        def assertFails(self, clean, fields, **kwargs):
            with self.assertRaises(ValueError) as cm:
                clean(**kwargs)
            self.assertEqual(fields, cm.exception.args)

        def assertLabel(self, label):
            self.assertEqual(label(), "x")

        def helper(self, fn):
            return fn()

    class T(Checks, TestCase):
        def test_x(self):
            obj = Author(name="a")
            self.assertFails(obj.save, ["name"])
    """
    code = full(source)
    assert "async def assertFails(self, clean, fields, **kwargs)" in code
    assert "(await aw(clean(**kwargs)))" in code
    assert "(await aw(label()))" in code
    assert "(await aw(self.assertFails(obj.save, [\"name\"])))" in code
    assert "    def helper(self, fn):\n        return fn()" in code  # not an assertion helper


def test_assertion_helper_made_async_in_a_package_is_awaited_by_importers():
    from tools.conformance.transform import imported_methods

    helpers = """
    class Checks:
        def assertFails(self, clean):
            with self.assertRaises(ValueError):
                clean()
    """
    context = ctx(is_test_module=False, upstream_path="app/__init__.py")
    transform_source(textwrap.dedent(helpers), context)
    methods = imported_methods("from . import Checks\n", "app.tests", False, {"app": context.async_methods})
    code = full(
        """
        from . import Checks

        class T(Checks, TestCase):
            def test_x(self):
                self.assertFails(Author(name="a").save)
        """,
        imported_methods=methods,
    )
    assert "(await aw(self.assertFails(Author(name=\"a\").save)))" in code


def test_evaluate_querysets_steps_an_iterator_with_enext():
    code = full(
        """
        class T(TestCase):
            def test_x(self):
                first = next(serializers.deserialize("json", data))
                second = next(rows, None)
                third = next(iter(Author.objects.all()))
        """
    )
    assert 'first = next((await enext(serializers.deserialize("json", data))))' in code
    assert "second = next((await enext(rows)), None)" in code
    assert "third = next((await enext(iter((await ev(Author.objects.all()))))))" in code
    assert "from tools.conformance.shims import enext, ev" in code


def test_hoist_lambdas_query_set_equal_attrgetter():
    source = """
    class T(TestCase):
        def test_x(self):
            self.assertQuerySetEqual(qs, rows, attrgetter("title"))
            self.assertQuerySetEqual(qs, rows, transform=operator.attrgetter("author"))
            self.assertQuerySetEqual(qs, rows, attrgetter("pk"))
            self.assertQuerySetEqual(qs, rows, attrgetter("author.name"))
    """
    code = full(source)
    assert "async def _lambda_1(obj):\n            return (await load(obj, 'title'))" in code
    assert "self.assertQuerySetEqual(qs, rows, _lambda_1)" in code
    assert "async def _lambda_2(obj):\n            return (await load(obj, 'author'))" in code
    assert "transform=_lambda_2" in code
    assert 'attrgetter("pk")' in code and 'attrgetter("author.name")' in code
    compile(code, "t.py", "exec")


def test_await_calls_local_name_bound_to_a_coroutine_method():
    source = """
    class T(TestCase):
        def test_x(self):
            fetch = Author.objects.get
            a = fetch(pk=1)
            keep = str.upper
            b = keep("x")
            fetch = len
            c = fetch([])
    """
    code, _ = run(await_calls, source)
    assert "a = (await aw(fetch(pk=1)))" in code
    assert 'b = keep("x")' in code
    assert "c = fetch([])" in code
