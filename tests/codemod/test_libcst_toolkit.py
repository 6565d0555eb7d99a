"""tools/libcst_toolkit.py: what the codemod and the conformance transformer share."""

import libcst as cst
import pytest

from tools.libcst_toolkit import ScopedVisitor, dotted, resolve_relative, stamp


@pytest.mark.parametrize(
    "source, expected",
    [("a", "a"), ("a.b.c", "a.b.c"), ("a().b", None), ("a[0].b", None), ("'x'", None)],
)
def test_dotted(source, expected):
    assert dotted(cst.parse_expression(source)) == expected


@pytest.mark.parametrize(
    "module, is_package, level, target, expected",
    [
        ("django.db.models.base", False, 0, "django.db", "django.db"),
        ("django.db.models.base", False, 1, "fields", "django.db.models.fields"),
        ("django.db.models.base", False, 2, None, "django.db"),
        ("django.db.models", True, 1, "fields", "django.db.models.fields"),
        ("django.db.models", True, 2, "utils", "django.db.utils"),
    ],
)
def test_resolve_relative(module, is_package, level, target, expected):
    assert resolve_relative(module, is_package, level, target) == expected


class Recorder(ScopedVisitor):
    def __init__(self, prefix=""):
        super().__init__(prefix)
        self.seen = {}

    def visit_Name(self, node):
        if node.value.startswith("mark_"):
            self.seen[node.value] = (self.innermost_function(), self.qualname("x"))


SOURCE = """
class Outer:
    def method(self):
        mark_method
        f = lambda: mark_lambda
        def inner():
            mark_inner
    class Nested:
        mark_class
mark_module
"""


def test_scopes_name_classes_and_functions_and_stop_at_lambdas():
    recorder = Recorder("pkg.mod")
    cst.parse_module(SOURCE).visit(recorder)
    assert recorder.seen == {
        "mark_method": ("pkg.mod.Outer.method", "pkg.mod.Outer.method.x"),
        "mark_lambda": (None, "pkg.mod.Outer.method.x"),
        "mark_inner": ("pkg.mod.Outer.method.inner", "pkg.mod.Outer.method.inner.x"),
        "mark_class": (None, "pkg.mod.Outer.Nested.x"),
        "mark_module": (None, "pkg.mod.x"),
    }
    assert recorder.frames == []


def test_stamp_is_idempotent():
    tree = cst.parse_module("x = 1\n")
    once = stamp(tree, ["# one", "# two"])
    assert once.code == "# one\n# two\n\nx = 1\n"
    assert stamp(once, ["# one", "# two"]) is once
