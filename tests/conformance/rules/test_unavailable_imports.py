"""The conformance rule ``unavailable_imports`` (tools/conformance/rules/unavailable_imports.py) on small before/after
snippets written for these tests."""

from tools.conformance.rules import unavailable_imports
from tests.conformance.support import run


def test_unavailable_imports_leaves_teapot_modules():
    code, _ = run(unavailable_imports, "from teapot.db import models\nfrom teapot.contrib.contenttypes.models import ContentType\n", decide=False)
    assert code == "from teapot.db import models\nfrom teapot.contrib.contenttypes.models import ContentType\n"


def test_unavailable_imports():
    source = (
        "from teapot.http import HttpRequest as Req, Http404\n"
        "from teapot.db import connection, no_such_name\n"
        "from teapot import views\n"
    )
    code, context = run(unavailable_imports, source, decide=False)
    assert "Req = unavailable('django.http.HttpRequest', 'django.http')" in code
    assert "Http404 = unavailable('django.http.Http404', 'django.http')" in code
    assert "from teapot.db import connection\nno_such_name = unavailable('django.db.no_such_name', 'django.db.no_such_name')" in code
    assert "views = unavailable('django.views', 'django.views')" in code
    assert context.helpers == {"unavailable"}
