"""Settings of the Django project the adapter tests share with teapot.

The database comes from the environment, so one pytest process (tests/adapter/conftest.py)
picks it: TEAPOT_ADAPTER_DATABASE is sqlite, postgresql or mysql; SQLite uses the file
TEAPOT_ADAPTER_SQLITE_PATH (Django's sqlite3 and aiosqlite cannot share an in-memory database);
the servers use TEAPOT_TEST_POSTGRESQL_URL / TEAPOT_TEST_MYSQL_URL like the ORM tests.
"""

import os

from tests.database.databases import django_database_settings

DATABASE = os.environ.get("TEAPOT_ADAPTER_DATABASE", "sqlite")


def _database(name):
    return django_database_settings(name, os.environ.get("TEAPOT_ADAPTER_SQLITE_PATH", "adapter.sqlite3"))


SECRET_KEY = "adapter-tests"
DATABASES = {"default": _database(DATABASE)}
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "tests.adapter.project.accounts",
    "tests.adapter.project.catalog",
    "tests.adapter.project.orders",
    "tests.adapter.project.social",
    "tests.adapter.project.oddities",
    "tests.adapter.project.hooks",
]
AUTH_USER_MODEL = "accounts.User"
# Not teapot's default (AutoField): the adapted keys must follow the Django models.
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "Europe/Helsinki"
