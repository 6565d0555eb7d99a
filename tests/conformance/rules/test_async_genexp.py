"""The conformance rule ``async_genexp`` (tools/conformance/rules/async_genexp.py) on small before/after
snippets written for these tests."""

from tools.conformance.rules import async_genexp
from tests.conformance.support import run


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
