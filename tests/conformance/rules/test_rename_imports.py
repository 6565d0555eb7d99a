"""The conformance rule ``rename_imports`` (tools/conformance/rules/rename_imports.py) on small before/after
snippets written for these tests."""

from tools.conformance.rules import rename_imports
from tests.conformance.support import run


def test_rename_imports_leaves_other_imports():
    code, _ = run(rename_imports, "import os\nfrom unittest import mock\n", decide=False)
    assert code == "import os\nfrom unittest import mock\n"


def test_rename_imports_maps_engine_names():
    code, _ = run(
        rename_imports,
        "a = {'ENGINE': 'django.db.backends.sqlite3'}\nb = 'django.db.backends.sqlite3.base'\n",
        decide=False,
    )
    assert "a = {'ENGINE': 'teapot.backends.aiosqlite'}" in code
    assert "b = 'teapot.db.backends.sqlite3.base'" in code


def test_rename_imports():
    code, _ = run(
        rename_imports,
        "from django.db import models\nfrom django.test import TestCase\nfrom django.test.utils import isolate_apps\n"
        "from django.contrib.contenttypes.models import ContentType\nx = 'django.db.models.AutoField'\n",
        decide=False,
    )
    assert "from teapot.db import models" in code
    assert "from teapot.testing import TestCase" in code
    assert "from teapot.testing.utils import isolate_apps" in code
    assert "from teapot.contrib.contenttypes.models import ContentType" in code
    assert "'teapot.db.models.AutoField'" in code
