"""The conformance rule ``await_calls`` (tools/conformance/rules/await_calls.py) on small before/after
snippets written for these tests."""

from tools.conformance.rules import await_calls
from tests.conformance.support import COROUTINES, AMBIGUOUS, ctx, run, full


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


def test_await_calls_functions_kept_in_a_namedtuple():
    source = """
    Helper = namedtuple("Helper", ["create_object", "compare_object"])

    def data_create(pk, klass, data):
        return klass.objects.create(pk=pk, data=data)

    data_obj = Helper(data_create, None)

    def assert_serializer(self, data):
        for helper, pk, klass, value in data:
            objects.extend(helper.create_object(pk, klass, value))
            point = other.create_object(pk)
    """
    code, _ = run(await_calls, source)
    assert "objects.extend((await aw(helper.create_object(pk, klass, value))))" in code
    assert "point = (await aw(other.create_object(pk)))" in code
    assert "namedtuple(" in code and "aw(namedtuple" not in code


def test_await_calls_bare_cursor_is_awaited():
    # connection.cursor() gives an object to await (the cursor) or to enter: a bare call is
    # awaited, a with-item entered.
    source = """
    class T(TestCase):
        def test_x(self):
            self.cursor = self.new_connection.cursor()
            with connection.cursor() as cur:
                pass
    """
    code = full(source)
    assert "self.cursor = (await aw(self.new_connection.cursor()))" in code
    assert "async with connection.cursor() as cur:" in code
