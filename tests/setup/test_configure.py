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
