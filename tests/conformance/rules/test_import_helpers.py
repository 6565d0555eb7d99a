"""The conformance rule ``import_helpers`` (tools/conformance/rules/import_helpers.py) on small before/after
snippets written for these tests."""

from tools.conformance.rules import import_helpers
from tests.conformance.support import run, full


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
