"""The conformance rule ``hoist_lambdas`` (tools/conformance/rules/hoist_lambdas.py) on small before/after
snippets written for these tests."""

from tools.conformance.rules import hoist_lambdas
from tests.conformance.support import run, full


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
    # A dotted path loads each step that may need it.
    assert "async def _lambda_3(obj):\n            return (await load(obj, 'author')).name" in code
    assert "self.assertQuerySetEqual(qs, rows, _lambda_3)" in code
    assert 'attrgetter("pk")' in code
    compile(code, "t.py", "exec")
