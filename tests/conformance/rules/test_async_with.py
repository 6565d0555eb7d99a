"""The conformance rule ``async_with`` (tools/conformance/rules/async_with.py) on small before/after
snippets written for these tests."""

from tools.conformance.rules import async_with
from tests.conformance.support import COROUTINES, run, full


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


def test_a_loaded_attribute_entered_as_a_context_stays_sync():
    # A model's file field, loaded by the transform (``await load(p, "mugshot")``), is a plain
    # file object: its ``with`` block stays sync.
    source = """
    class T(TestCase):
        def test_x(self):
            p = Person(name="Joe")
            with p.mugshot as f:
                pass
    """
    code = full(source, model_attrs=frozenset({"mugshot"}))
    assert "with (await load(p, 'mugshot')) as f:" in code
    assert "async with" not in code
