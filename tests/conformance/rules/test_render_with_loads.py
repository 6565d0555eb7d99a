"""The conformance rule ``render_with_loads`` (tools/conformance/rules/render_with_loads.py) on
small before/after snippets written for these tests."""

from tools.conformance.rules import render_with_loads
from tests.conformance.support import run


def test_repr_and_str_render_with_loads():
    source = """
    class T(TestCase):
        def test_x(self):
            self.assertEqual(repr(obj), "<Restaurant: Demon Dogs the restaurant>")
            name = str(obj)
            text = str(obj, "utf-8")
    """
    code, ctx = run(render_with_loads, source)
    assert 'self.assertEqual((await rendered(repr, obj)), "<Restaurant: Demon Dogs the restaurant>")' in code
    assert "name = (await rendered(str, obj))" in code
    assert 'text = str(obj, "utf-8")' in code  # decoding bytes: not a rendering
    assert "rendered" in ctx.helpers


def test_sync_code_is_left_alone():
    source = """
    class Restaurant(Model):
        def __str__(self):
            return str(self.place)
    """
    code, ctx = run(render_with_loads, source)
    assert "return str(self.place)" in code
    assert "rendered" not in ctx.helpers
