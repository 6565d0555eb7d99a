"""teapot.setup() and database URLs: what each URL becomes, and the errors for bad input."""

import subprocess
import sys
from pathlib import Path

import pytest

from teapot.configure import _databases, parse_database_url
from teapot.core.exceptions import ImproperlyConfigured

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "url, name",
    [
        ("sqlite://:memory:", ":memory:"),
        ("sqlite:///:memory:", ":memory:"),
        ("sqlite:///data/app.db", "data/app.db"),
        ("sqlite:////var/lib/app.db", "/var/lib/app.db"),
    ],
)
def test_sqlite_urls(url, name):
    assert parse_database_url(url) == {"ENGINE": "teapot.backends.aiosqlite", "NAME": name}


def test_server_url_with_quoted_credentials_and_options():
    entry = parse_database_url("postgresql://app%40eu:p%2Fss@db.local:6543/shop?sslmode=require")
    assert entry == {
        "ENGINE": "teapot.backends.asyncpg",
        "NAME": "shop",
        "USER": "app@eu",
        "PASSWORD": "p/ss",
        "HOST": "db.local",
        "PORT": "6543",
        "OPTIONS": {"sslmode": "require"},
    }
    assert parse_database_url("mariadb://root@127.0.0.1/app")["ENGINE"] == "teapot.backends.asyncmy"


@pytest.mark.parametrize("url", ["oracle://scott@db/x", "sqlite:app.db", "sqlite://app.db", "not a url"])
def test_bad_urls_raise_improperly_configured(url):
    with pytest.raises(ImproperlyConfigured, match="URL"):
        parse_database_url(url)


def test_environment_url_is_the_default(monkeypatch):
    monkeypatch.setenv("TEAPOT_DATABASE_URL", "sqlite:///env.db")
    assert _databases(None) == {"default": {"ENGINE": "teapot.backends.aiosqlite", "NAME": "env.db"}}
    monkeypatch.delenv("TEAPOT_DATABASE_URL")
    assert _databases(None)["default"]["NAME"] == ":memory:"
    other = {"ENGINE": "teapot.backends.aiosqlite", "NAME": "x.db"}
    assert _databases({"default": "sqlite://:memory:", "other": other})["other"] == other


def test_setup_twice_is_an_error_and_keeps_the_first_settings():
    script = (
        "import teapot\n"
        "from teapot.core.exceptions import ImproperlyConfigured\n"
        "teapot.setup('sqlite:///first.db', time_zone='Europe/Paris')\n"
        "try:\n"
        "    teapot.setup('sqlite:///second.db')\n"
        "except ImproperlyConfigured as e:\n"
        "    print('refused:', e)\n"
        "from teapot.conf import settings\n"
        "print(settings.DATABASES['default']['NAME'], settings.TIME_ZONE)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "refused: teapot.setup() was already called in this process",
        "first.db Europe/Paris",
    ]


def test_django_databases_map_to_the_async_engines():
    from teapot.configure import django_databases

    mapped = django_databases(
        {
            "default": {"ENGINE": "django.db.backends.postgresql", "NAME": "shop", "OPTIONS": {"sslmode": "require"}},
            "legacy": {"ENGINE": "django.db.backends.mysql", "NAME": "old", "CONN_MAX_AGE": 60},
            "local": {"ENGINE": "django.db.backends.sqlite3", "NAME": "/tmp/app.db"},
            "mine": {"ENGINE": "teapot.backends.asyncpg", "NAME": "x"},
        }
    )
    assert {alias: entry["ENGINE"] for alias, entry in mapped.items()} == {
        "default": "teapot.backends.asyncpg",
        "legacy": "teapot.backends.asyncmy",
        "local": "teapot.backends.aiosqlite",
        "mine": "teapot.backends.asyncpg",
    }
    assert mapped["default"]["OPTIONS"] == {"sslmode": "require"} and mapped["legacy"]["CONN_MAX_AGE"] == 60


def test_django_databases_refuse_an_engine_without_an_async_backend():
    from teapot.configure import django_databases

    with pytest.raises(ImproperlyConfigured, match="'gis'.*django.contrib.gis.db.backends.postgis"):
        django_databases({"gis": {"ENGINE": "django.contrib.gis.db.backends.postgis"}})


def test_setup_from_a_django_settings_module(tmp_path):
    # A Django project's settings module, read as it is: its SQLite database, zone and
    # routers; teapot queries the same file.
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "__init__.py").write_text("")
    (tmp_path / "proj" / "routers.py").write_text(
        "class Router:\n    def db_for_read(self, model, **hints):\n        return 'default'\n"
    )
    (tmp_path / "proj" / "settings.py").write_text(
        "from pathlib import Path\n"
        "BASE_DIR = Path(__file__).resolve().parent\n"
        "SECRET_KEY = 'x'\n"
        "INSTALLED_APPS = ['django.contrib.contenttypes']\n"
        "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': BASE_DIR / 'db.sqlite3'}}\n"
        "TIME_ZONE = 'Europe/Paris'\n"
        "USE_TZ = False\n"
        "DATABASE_ROUTERS = ['proj.routers.Router']\n"
    )
    script = (
        "import asyncio, sys\n"
        f"sys.path.insert(0, {str(tmp_path)!r})\n"
        "import teapot\n"
        "teapot.setup(from_django='proj.settings')\n"
        "from teapot.conf import settings\n"
        "from teapot.db import connection, router\n"
        "print(settings.DATABASES['default']['ENGINE'], settings.TIME_ZONE, settings.USE_TZ)\n"
        "print(type(router.routers[0]).__name__)\n"
        "async def main():\n"
        "    async with connection.cursor() as cur:\n"
        "        await cur.execute('CREATE TABLE t (x integer)')\n"
        "        await cur.execute('INSERT INTO t VALUES (%s)', [7])\n"
        "    await teapot.close()\n"
        "asyncio.run(main())\n"
    )
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split("\n")[:2] == ["teapot.backends.aiosqlite Europe/Paris False", "Router"]
    import sqlite3

    with sqlite3.connect(tmp_path / "proj" / "db.sqlite3") as db:  # the project's own file
        assert db.execute("SELECT x FROM t").fetchall() == [(7,)]


def test_setup_takes_databases_or_from_django_not_both():
    script = (
        "import teapot\n"
        "try:\n"
        "    teapot.setup('sqlite://:memory:', from_django='os')\n"
        "except Exception as exc:\n"
        "    print(type(exc).__name__, exc)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.stdout.strip() == "ImproperlyConfigured teapot.setup() takes databases or from_django, not both"
