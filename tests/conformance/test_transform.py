"""The conformance transform as a whole (tools/conformance/transform.py, names.py): the
models' attribute names, the coroutine names, a whole app built, assertion helpers across
modules, on small snippets written for these tests."""

import textwrap

from tools.conformance.transform import transform_source
from tests.conformance.support import ctx, full


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


def test_model_attrs_include_foreign_key_attnames(tmp_path):
    from tools.conformance.transform import model_attrs

    (tmp_path / "models.py").write_text("class Book(models.Model):\n    author = models.ForeignKey(Author, models.CASCADE)\n")
    assert {"author", "author_id"} <= model_attrs(tmp_path)


def test_names_sync_methods_of_query_and_q_are_ambiguous():
    from tools.conformance.names import ambiguous_names, coroutine_names

    # QuerySet.exists / Manager.create are coroutines; Query.exists and Q.create are not.
    assert {"exists", "create"} <= coroutine_names()
    assert {"exists", "create"} <= ambiguous_names()
    assert "aggregate" not in ambiguous_names()


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


def test_coroutine_names_include_contenttypes_and_prefetch_one_level():
    from tools.conformance.names import coroutine_names

    names = coroutine_names()
    assert {"get_for_model", "get_for_models", "get_for_id", "get_object_for_this_type"} <= names
    assert {"prefetch_related_objects", "prefetch_one_level"} <= names
    assert "rows" not in names  # a function nested in a method is no method


def test_coroutine_names_include_the_deserialized_objects_methods():
    from tools.conformance.names import ambiguous_names, coroutine_names

    # obj.save_deferred_fields() after a deserializer's forward references is awaited.
    assert "save_deferred_fields" in coroutine_names()
    assert "save_deferred_fields" not in ambiguous_names()


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


def test_build_app_keeps_import_time_functions_sync_and_awaits_subclass_helpers(tmp_path):
    from tools.conformance.transform import build_app

    app = tmp_path / "tests" / "fmt"
    app.mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "tests.py").write_text(
        textwrap.dedent(
            """\
            from django.test import TestCase

            def register_tests(cls, names):
                for name in names:
                    setattr(cls, "test_" + name, lambda self: None)

            class Base:
                def test_values(self):
                    self.assertEqual(self._values("x"), [])
            """
        )
    )
    (app / "test_json.py").write_text(
        textwrap.dedent(
            """\
            import json

            from django.test import TestCase
            from .tests import Base, register_tests

            class JsonTests(Base, TestCase):
                @staticmethod
                def _values(text):
                    return [row for row in json.loads(text) if "k" in row]

            register_tests(JsonTests, ["a", "b"])
            """
        )
    )
    out = tmp_path / "out"
    manifest = build_app("fmt", tmp_path / "tests", out, attrs=set())
    assert manifest["failures"] == {}
    tests = (out / "fmt" / "tests.py").read_text()
    assert "\ndef register_tests(cls, names):" in tests
    assert "(await aw(self._values(\"x\")))" in tests
