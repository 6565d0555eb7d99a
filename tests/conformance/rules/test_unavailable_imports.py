"""The conformance rule ``unavailable_imports`` (tools/conformance/rules/unavailable_imports.py) on small before/after
snippets written for these tests."""

from tools.conformance.rules import unavailable_imports
from tests.conformance.support import run


def test_unavailable_imports_leaves_teapot_modules():
    code, _ = run(unavailable_imports, "from teapot.db import models\nfrom teapot.contrib.contenttypes.models import ContentType\n", decide=False)
    assert code == "from teapot.db import models\nfrom teapot.contrib.contenttypes.models import ContentType\n"


def test_unavailable_imports():
    source = (
        "from teapot.views.generic import View as Base, TemplateView\n"
        "from teapot.db import connection, no_such_name\n"
        "from teapot import views\n"
    )
    code, context = run(unavailable_imports, source, decide=False)
    assert "Base = unavailable('django.views.generic.View', 'django.views.generic')" in code
    assert "TemplateView = unavailable('django.views.generic.TemplateView', 'django.views.generic')" in code
    assert "from teapot.db import connection\nno_such_name = unavailable('django.db.no_such_name', 'django.db.no_such_name')" in code
    assert "views = unavailable('django.views', 'django.views')" in code
    assert context.helpers == {"unavailable"}


def test_a_module_teapot_has_keeps_the_names_it_has():
    # teapot.http holds Http404 only: Django's request class stays a stand-in.
    code, _ = run(unavailable_imports, "from teapot.http import HttpRequest as Req, Http404\n", decide=False)
    assert code == "from teapot.http import Http404\nReq = unavailable('django.http.HttpRequest', 'django.http.HttpRequest')\n"
