"""The adapter tests: one Django project (tests/adapter/project) shared by Django and teapot in
one pytest process, on the database chosen by ``--db`` / ``TEAPOT_TEST_DATABASE``.

They run in a pytest process of their own (``python -m pytest tests/adapter --db=...``):
teapot is configured once per process, here from the project's Django settings, while the
ORM tests configure it with their own apps. tests/conftest.py keeps them out of other runs.
"""

import asyncio
import os
import shutil
import tempfile
import warnings
from pathlib import Path

import pytest

from tests.database.databases import chosen, create_database

SETTINGS = "tests.adapter.project.settings"
_sqlite_dir = None


def pytest_configure(config):
    global _sqlite_dir
    here = Path(__file__).parent
    for arg in config.args:
        path = Path(arg.split("::")[0]).resolve()
        if path != here and here not in path.parents:
            raise pytest.UsageError(f"tests/adapter runs in a pytest process of its own, not with {arg}")
    database = chosen(config.getoption("--db"))
    os.environ["TEAPOT_ADAPTER_DATABASE"] = database
    if database == "sqlite":
        _sqlite_dir = tempfile.mkdtemp(prefix="teapot-adapter-")
        os.environ["TEAPOT_ADAPTER_SQLITE_PATH"] = os.path.join(_sqlite_dir, "project.sqlite3")
    else:
        asyncio.run(create_database(database))
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS

    import django

    import teapot

    django.setup()
    teapot.setup(from_django=SETTINGS)


def pytest_unconfigure(config):
    if _sqlite_dir is not None:
        shutil.rmtree(_sqlite_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def adaptation():
    """The project's four apps adapted once: what adapt() returned, the warnings it gave, and
    the labels in teapot's registry right after (the contrib models they relate to included)."""
    import teapot
    from teapot.apps import apps

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        adapted = teapot.adapt("accounts", "catalog", "orders", "social")
    registered = {model._meta.label for model in apps.get_models()}
    return adapted, caught, registered


@pytest.fixture(scope="session")
def m(adaptation):
    """Every model the tests compare, contrib's included (adapted already, so reused)."""
    import teapot

    return teapot.adapt("contenttypes", "auth", "accounts", "catalog", "orders", "social")


@pytest.fixture(scope="session")
def schema():
    """The project's tables, created by Django's schema editor (as migrate would)."""
    from tests.adapter.support import create_schema, drop_schema

    create_schema()
    yield
    drop_schema()


@pytest.fixture
def db(schema):
    """Empty tables for each test, sequences restarted, so keys are the same in each run."""
    from tests.adapter.support import flush

    flush()
    yield


@pytest.fixture(scope="session")
def hooks_adaptation():
    """The hooks app's models (save()/delete() overrides, signal receivers) adapted once: what
    adapt() returned, and the texts of the AdaptWarnings it gave."""
    import teapot
    from teapot.adapter import AdaptWarning
    from tests.adapter.project.hooks import models as hooks

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        adapted = teapot.adapt(hooks.Crate, hooks.Bin, hooks.Parcel)
    return adapted, [str(w.message) for w in caught if issubclass(w.category, AdaptWarning)]
