"""cut_imports: delete the import statements named by closure.toml ``cut_imports``."""

import pytest

from tests.codemod.harness import MODULE, dd, prepare, transform

from tools.codemod.rules.cut_imports import CutImports

CUTS = {"cut_imports": [[MODULE, "django.forms"]]}


def run(before, module=MODULE, cuts=CUTS):
    # Like the pipeline, the rule runs before the call graph exists.
    return transform(CutImports, before, module=module, closure=cuts, graph=False)


CASES = [
    pytest.param(
        dd("""
            import os
            from django.db import models
            from django.forms_extra import Widget
            from django.formsets import Formset
            from . import forms

            def lazy():
                from django.db import connection
                return connection
            """),
        None,  # no change
        id="no-matching-import",
    ),
    pytest.param(
        dd("""
            import os
            from django.forms import Field, Widget
            from django.db import models
            """),
        dd("""
            import os
            from django.db import models
            """),
        id="from-package-import-names",
    ),
    pytest.param(
        dd("""
            from django import forms
            from django.db import models
            """),
        dd("""
            from django.db import models
            """),
        id="from-parent-import-package",
    ),
    pytest.param(
        dd("""
            import django.forms
            import django.forms as f
            x = 1
            """),
        dd("""
            x = 1
            """),
        id="plain-import-with-and-without-alias",
    ),
    pytest.param(
        dd("""
            try:
                from django.forms import Field
            except ImportError:
                Field = None
            """),
        dd("""
            try:
                pass
            except ImportError:
                Field = None
            """),
        id="only-statement-of-a-block-leaves-pass",
    ),
    pytest.param(
        dd("""
            class Model:
                from django.forms import Field

                name = "m"
            """),
        dd("""
            class Model:

                name = "m"
            """),
        id="class-body-import",
    ),
]


@pytest.mark.parametrize("before, after", CASES)
def test_cut_imports(before, after):
    assert run(before) == (before if after is None else after)


def test_first_case_is_no_change():
    assert CASES[0].values[1] is None


def test_other_importers_are_left_alone():
    src = "from django.forms import Field\n"
    assert run(src, module="django.db.other") == src


def test_cuts_are_counted():
    r = prepare({MODULE: "from django import forms\nimport django.forms\n"}, closure=CUTS, graph=False)
    r.apply(CutImports)
    assert r.ctx.counts["imports cut"] == 2


def test_cut_keeps_other_names_of_the_statement():
    before = dd("""
        from django import db, forms
        """)
    assert run(before) == dd("""
        from django import db
        """)


def test_relative_import_is_resolved_like_the_closure_resolves_it():
    src = "from ... import forms\nfrom .. import forms as f\nfrom . import base\n"
    r = prepare({"django.db.models": src}, closure={"cut_imports": [["django.db.models", "django.forms"]]},
                packages={"django.db.models"}, graph=False)
    rule = CutImports(r.ctx)
    assert r.apply(rule, "django.db.models") == "from .. import forms as f\nfrom . import base\n"  # ``..`` is django.db
    assert rule.unused() == []


def test_relative_module_import_in_a_plain_module():
    src = "from .management import create, inject\nfrom .checks import check\n"
    module = "django.contrib.contenttypes.apps"
    r = prepare({module: src}, closure={"cut_imports": [[module, "django.contrib.contenttypes.management"]]},
                graph=False)
    rule = CutImports(r.ctx)
    assert r.apply(rule, module) == "from .checks import check\n"
    assert rule.unused() == []


class TestUnused:
    def test_entry_whose_import_is_absent_is_reported(self):
        r = prepare({MODULE: "import os\n"}, closure=CUTS, graph=False)
        rule = CutImports(r.ctx)
        r.apply(rule)
        assert rule.unused() == [f"cut_imports {MODULE} -> django.forms"]

    def test_entry_whose_module_is_never_seen_is_reported(self):
        cuts = {"cut_imports": [[MODULE, "django.forms"], ["django.gone", "django.forms"]]}
        r = prepare({MODULE: "from django import forms\n"}, closure=cuts, graph=False)
        rule = CutImports(r.ctx)
        r.apply(rule)
        assert rule.unused() == ["cut_imports django.gone -> django.forms"]

    def test_used_entries_are_not_reported(self):
        r = prepare({MODULE: "import django.forms\n"}, closure=CUTS, graph=False)
        rule = CutImports(r.ctx)
        r.apply(rule)
        assert rule.unused() == []
