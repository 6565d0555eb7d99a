"""teapot.setup(): settings and the app registry, without DJANGO_SETTINGS_MODULE. Hand-written."""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Iterable, Mapping
from types import ModuleType
from typing import Any

ENGINES = {
    "sqlite": "teapot.backends.aiosqlite",
    "postgresql": "teapot.backends.asyncpg",
    "postgres": "teapot.backends.asyncpg",
    "mysql": "teapot.backends.asyncmy",
    "mariadb": "teapot.backends.asyncmy",
}


def parse_database_url(url: str) -> dict[str, Any]:
    """Turn ``sqlite:///path``, ``sqlite://:memory:``, ``postgresql://u:p@h:5432/db`` and
    ``mysql://`` / ``mariadb://`` URLs into a DATABASES entry."""
    from teapot.core.exceptions import ImproperlyConfigured

    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in ENGINES:
        raise ImproperlyConfigured(
            f"Unsupported database URL {url!r}: use sqlite:///path, sqlite://:memory:, "
            "postgresql://, mysql:// or mariadb://"
        )
    if scheme == "sqlite":
        if rest in (":memory:", "/:memory:", ""):
            name = ":memory:"
        elif rest.startswith("/"):
            name = rest[1:] or ":memory:"
        else:
            raise ImproperlyConfigured(f"SQLite URLs are sqlite:///path or sqlite://:memory:, not {url!r}")
        return {"ENGINE": ENGINES[scheme], "NAME": name}
    parsed = urllib.parse.urlsplit(url)
    options = dict(urllib.parse.parse_qsl(parsed.query))
    return {
        "ENGINE": ENGINES[scheme],
        "NAME": urllib.parse.unquote(parsed.path.lstrip("/")),
        "USER": urllib.parse.unquote(parsed.username or ""),
        "PASSWORD": urllib.parse.unquote(parsed.password or ""),
        "HOST": parsed.hostname or "",
        "PORT": str(parsed.port or ""),
        "OPTIONS": options,
    }


# Django's engines and the async teapot backend each maps to (teapot.setup(from_django=...)).
DJANGO_ENGINES = {
    "django.db.backends.sqlite3": "teapot.backends.aiosqlite",
    "django.db.backends.postgresql": "teapot.backends.asyncpg",
    "django.db.backends.postgresql_psycopg2": "teapot.backends.asyncpg",
    "django.db.backends.mysql": "teapot.backends.asyncmy",
}


def django_databases(databases: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """A Django project's DATABASES on teapot's async engines. Connection settings (NAME,
    USER, ..., OPTIONS, TEST) carry over; PostgreSQL's libpq option names (sslmode,
    connect_timeout, application_name) are understood by the asyncpg backend."""
    from teapot.core.exceptions import ImproperlyConfigured

    out: dict[str, dict[str, Any]] = {}
    for alias, entry in databases.items():
        engine = entry.get("ENGINE", "")
        if engine in DJANGO_ENGINES.values():
            target = engine
        elif engine in DJANGO_ENGINES:
            target = DJANGO_ENGINES[engine]
        else:
            known = ", ".join(sorted(DJANGO_ENGINES))
            raise ImproperlyConfigured(
                f"DATABASES[{alias!r}] uses ENGINE {engine!r}, which teapot has no async backend for "
                f"(it maps {known})."
            )
        out[alias] = {**entry, "ENGINE": target}
    return out


def _django_settings(module: str | ModuleType) -> ModuleType:
    import importlib

    if isinstance(module, str):
        module = importlib.import_module(module)
    return module


def _databases(databases: str | Mapping[str, str | Mapping[str, Any]] | None) -> dict[str, dict[str, Any]]:
    if databases is None:
        url = os.environ.get("TEAPOT_DATABASE_URL", "sqlite://:memory:")
        databases = {"default": url}
    elif isinstance(databases, str):
        databases = {"default": databases}
    out: dict[str, dict[str, Any]] = {}
    for alias, value in databases.items():
        out[alias] = parse_database_url(value) if isinstance(value, str) else dict(value)
    return out


# "Not given" for setup()'s arguments where None means something. Typed Any so that it can
# be the default of a parameter annotated with the types a caller may pass.
_UNSET: Any = object()
_from_django: str | None = None  # the settings module given to setup(from_django=...)


def from_django_module() -> str | None:
    """The dotted name of the Django settings module teapot.setup() read, if any."""
    return _from_django


def setup(
    databases: str | Mapping[str, str | Mapping[str, Any]] | None = None,
    *,
    from_django: str | ModuleType | None = None,
    installed_apps: Iterable[str] = (),
    time_zone: str | None = _UNSET,
    use_tz: bool = _UNSET,
    default_auto_field: str = "teapot.db.models.AutoField",
    **settings: Any,
) -> None:
    """Configure teapot once per process.

    ``databases``: a URL, or a dict of alias -> URL or Django-style settings dict (default:
    ``TEAPOT_DATABASE_URL``, else an in-memory SQLite database). ``from_django``: a Django
    settings module (its dotted name, or the module) whose DATABASES (on teapot's async
    engines), TIME_ZONE, USE_TZ and DATABASE_ROUTERS teapot takes; keyword arguments given
    here win. ``installed_apps``: app packages (or modules) whose ``models`` teapot loads.
    Other keyword arguments are passed to the settings as upper-case names (``debug=True``
    sets ``DEBUG``).
    """
    from teapot.apps import apps
    from teapot.conf import settings as conf
    from teapot.core.exceptions import ImproperlyConfigured

    if conf.configured:
        raise ImproperlyConfigured("teapot.setup() was already called in this process")
    if from_django is not None:
        if databases is not None:
            raise ImproperlyConfigured("teapot.setup() takes databases or from_django, not both")
        django = _django_settings(from_django)
        global _from_django
        _from_django = django.__name__
        databases = django_databases(getattr(django, "DATABASES", {}))
        if time_zone is _UNSET:
            time_zone = getattr(django, "TIME_ZONE", "America/Chicago")  # Django's default
        if use_tz is _UNSET:
            use_tz = getattr(django, "USE_TZ", True)
        if "database_routers" not in settings and hasattr(django, "DATABASE_ROUTERS"):
            settings["database_routers"] = list(django.DATABASE_ROUTERS)
    conf.configure(
        DATABASES=_databases(databases),
        INSTALLED_APPS=list(installed_apps),
        TIME_ZONE="UTC" if time_zone is _UNSET else time_zone,
        USE_TZ=True if use_tz is _UNSET else use_tz,
        DEFAULT_AUTO_FIELD=default_auto_field,
        USE_I18N=settings.pop("use_i18n", False),  # no translation catalogues in the fork
        **{k.upper(): v for k, v in settings.items()},
    )
    apps.populate(conf.INSTALLED_APPS)
