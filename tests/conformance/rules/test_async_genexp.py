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


def test_async_genexp_given_to_next_stays_an_iterator():
    source = """
    class T(TestCase):
        async def test_x(self):
            next((await f(x)) for x in y)
            next(await enext((await f(x)) for x in y), None)
            all((await f(x)) for x in y)
    """
    code, _ = run(async_genexp, source)
    assert "next(iter([(await f(x)) for x in y]))" in code
    assert "next(await enext(iter([(await f(x)) for x in y])), None)" in code
    assert "all([(await f(x)) for x in y])" in code
