"""stamp_header: every generated file opens with a header naming its upstream file and the pin."""

import pytest

from tests.codemod.harness import FakePin, dd, prepare

from tools.codemod.rules.stamp_header import StampHeader
from tools.libcst_toolkit import MARKER

PIN = FakePin(version="5.2.99")


def run(before, module="django.db.models.query", is_package=False):
    r = prepare({module: before}, pin=PIN, packages={module} if is_package else (), graph=False)
    return r.apply(StampHeader, module)


def header(path):
    return dd(f"""
        # {MARKER} by tools/rename_fork.py from Django 5.2.99: {path}
        # DO NOT EDIT. Change a rule or an override under tools/codemod/ and regenerate with
        #     python tools/rename_fork.py
        # Derived from Django (BSD-3-Clause, Copyright (c) Django Software Foundation).

        """)


STAMPED = header("django/db/models/query.py") + "x = 1\n"

CASES = [
    pytest.param(
        STAMPED,
        None,  # no change
        id="already-stamped",
    ),
    pytest.param(
        "x = 1\n",
        STAMPED,
        id="plain-module",
    ),
    pytest.param(
        dd('''
            # A comment that upstream put first.

            """The module docstring."""
            import os
            '''),
        header("django/db/models/query.py") + dd('''
            # A comment that upstream put first.

            """The module docstring."""
            import os
            '''),
        id="upstream-header-comments-kept-below",
    ),
    pytest.param(
        "",
        # An empty module (most __init__.py files) ends right after the header.
        header("django/db/models/query.py")[:-1],
        id="empty-module",
    ),
]


@pytest.mark.parametrize("before, after", CASES)
def test_stamp_header(before, after):
    assert run(before) == (before if after is None else after)


def test_first_case_is_no_change():
    assert CASES[0].values[1] is None


def test_package_path_names_its_init():
    out = run("", module="django.db.models", is_package=True)
    assert out.splitlines()[0] == f"# {MARKER} by tools/rename_fork.py from Django 5.2.99: django/db/models/__init__.py"


def test_marker_is_on_the_first_line():
    # pipeline.generated_paths() recognises generated files by the marker on line one.
    assert MARKER in run("import os\n").splitlines()[0]
    assert MARKER == "@" + "generated"


def test_files_are_counted():
    r = prepare({"django.a": "", "django.b": ""}, pin=PIN, graph=False)
    rule = StampHeader(r.ctx)
    r.apply(rule, "django.a")
    r.apply(rule, "django.b")
    assert r.ctx.counts["files stamped"] == 2
