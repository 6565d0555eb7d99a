"""rename_package: ``django`` becomes ``teapot`` in imports, names and dotted-path strings."""

import pytest

from tests.codemod.harness import dd, prepare, transform

from tools.codemod.rules.rename_package import RenamePackage


def run(before):
    return transform(RenamePackage, before, graph=False)


CASES = [
    pytest.param(
        dd('''
            # see django.db.models for the original
            from teapot.db import models

            TABLE = "django_content_type"
            APP = "django"
            URL = "https://www.djangoproject.com/"
            LABEL = "mydjango.models"
            setting = settings.django
            x = f"{app}.django_table"
            '''),
        None,  # no change
        id="table-names-bare-word-attributes-comments",
    ),
    pytest.param(
        dd('''
            import django
            import django.db.models as m
            from django.db import models
            from django.db.models.fields import Field
            '''),
        dd('''
            import teapot
            import teapot.db.models as m
            from teapot.db import models
            from teapot.db.models.fields import Field
            '''),
        id="imports",
    ),
    pytest.param(
        dd('''
            if django.VERSION < (5,):
                raise django.core.exceptions.ImproperlyConfigured(django.get_version())
            '''),
        dd('''
            if teapot.VERSION < (5,):
                raise teapot.core.exceptions.ImproperlyConfigured(teapot.get_version())
            '''),
        id="name-references",
    ),
    pytest.param(
        dd('''
            ENGINE = "django.db.backends.sqlite3"
            AUTO = 'django.db.models.BigAutoField'
            path = f"django.db.models.{name}"
            both = "django.db.models.Model or django.db.models.Field"
            doc = """Return django.db.models.Q, see django_site."""
            '''),
        dd('''
            ENGINE = "teapot.db.backends.sqlite3"
            AUTO = 'teapot.db.models.BigAutoField'
            path = f"teapot.db.models.{name}"
            both = "teapot.db.models.Model or teapot.db.models.Field"
            doc = """Return teapot.db.models.Q, see django_site."""
            '''),
        id="dotted-path-strings",
    ),
]


@pytest.mark.parametrize("before, after", CASES)
def test_rename_package(before, after):
    assert run(before) == (before if after is None else after)


def test_first_case_is_no_change():
    assert CASES[0].values[1] is None


def test_renames_are_counted():
    r = prepare(CASES[1].values[0] + CASES[3].values[0], graph=False)
    r.apply(RenamePackage)
    assert r.ctx.counts["names renamed"] == 4
    assert r.ctx.counts["strings renamed"] == 4


def test_rename_is_read_from_the_table():
    out = transform(RenamePackage, "import django\nX = 'django.db'\n", graph=False,
                    rules={"rename": {"from": "django", "to": "kettle"}})
    assert out == "import kettle\nX = 'kettle.db'\n"
