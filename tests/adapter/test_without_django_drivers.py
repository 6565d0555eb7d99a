"""adapt() in a process where Django's database drivers cannot be imported: Django's model
classes need Django, not psycopg, mysqlclient or PyMySQL. The process is a subprocess whose
import system refuses those drivers; it checks that the refusal works before relying on it,
then adapts, queries through teapot, and asks Django's connection to connect."""

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.adapter.data import write_with_django
from tests.adapter.project.catalog import models as catalog

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r'''
import asyncio
import importlib
import importlib.abc
import json
import sys

BLOCKED = {"psycopg", "psycopg2", "MySQLdb", "pymysql"}


class RefuseDrivers(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, RefuseDrivers())
refused = []
for name in sorted(BLOCKED):
    try:
        importlib.import_module(name)
    except ImportError:
        refused.append(name)

import os
import types

import teapot
from tests.adapter.project import settings as project

# Django reads this module's settings. On SQLite, whose Django backend needs no driver,
# Django is given a PostgreSQL database it never connects to, so the refused driver matters
# there too; teapot then uses the SQLite file directly.
django_settings = types.ModuleType("settings_without_drivers")
vars(django_settings).update({name: value for name, value in vars(project).items() if name.isupper()})
sys.modules[django_settings.__name__] = django_settings
if project.DATABASE == "sqlite":
    sqlite_file = project.DATABASES["default"]["NAME"]
    django_settings.DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "never_connected"}}
    os.environ["DJANGO_SETTINGS_MODULE"] = django_settings.__name__
    teapot.setup(f"sqlite:///{sqlite_file}", time_zone=project.TIME_ZONE, use_tz=project.USE_TZ)
else:
    teapot.setup(from_django=django_settings)
models = teapot.adapt("catalog", "social")


async def count():
    try:
        return await models.Product.objects.filter(likes__weight__gt=0).distinct().count()
    finally:
        await teapot.close()


liked = asyncio.run(count())
from django.db import connections

connection = connections["default"]

try:
    connection.ensure_connection()
    django_connects = "yes"
except Exception as error:
    django_connects = f"{type(error).__name__}: {error}"
print(json.dumps({
    "refused": refused,
    "drivers loaded": sorted(name for name in BLOCKED if name in sys.modules),
    "django backend": type(connection).__module__,
    "liked products": liked,
    "django connects": django_connects,
}))
'''


def test_adapt_needs_no_django_database_driver(db):
    write_with_django()
    expected = catalog.Product.objects.filter(likes__weight__gt=0).distinct().count()
    assert expected == 2
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["refused"] == ["MySQLdb", "psycopg", "psycopg2", "pymysql"]
    assert report["drivers loaded"] == []
    assert report["liked products"] == expected  # teapot queried through its own driver
    # Django's backend for the database (PostgreSQL on the SQLite run) is the driverless one.
    assert report["django backend"] == "teapot.adapter.driverless.base"
    assert report["django connects"].startswith("ImproperlyConfigured")
    assert "teapot" in report["django connects"] and "driver" in report["django connects"]
