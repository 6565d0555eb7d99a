"""rename_imports: ``from django import test`` (Django's model_fields tests import the test
package so) binds ``test`` to teapot.testing, not to a stand-in for a missing ``teapot.test``."""

import textwrap

import libcst as cst

from tools.conformance.rules import rename_imports, unavailable_imports
from tools.conformance.rules._base import Context


def _ctx():
    return Context(coroutines=frozenset(), ambiguous=frozenset(), model_attrs=frozenset(), upstream_path="app/tests.py", version="5.2.19")


def _rename(source):
    tree = cst.parse_module(textwrap.dedent(source))
    context = _ctx()
    tree = rename_imports.apply(tree, context)
    return unavailable_imports.apply(tree, context).code


def test_from_django_import_test_binds_teapot_testing():
    code = _rename("from django import test\n\nclass T(test.SimpleTestCase):\n    pass\n")
    assert code.startswith("from teapot import testing as test\n")
    assert "unavailable" not in code
    namespace = {}
    exec(compile(code, "t.py", "exec"), namespace)
    from teapot import testing

    assert namespace["test"] is testing
    assert issubclass(namespace["T"], testing.SimpleTestCase)


def test_from_django_import_test_keeps_its_alias_and_the_other_names():
    code = _rename("from django import test as t, db\n")
    assert code == "from teapot import testing as t, db\n"


def test_other_names_from_django_are_left():
    code = _rename("from django import db\nfrom django.db import models\n")
    assert code == "from teapot import db\nfrom teapot.db import models\n"
