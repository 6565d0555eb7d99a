"""teapot.setup(): settings and the app registry, without DJANGO_SETTINGS_MODULE. Hand-written."""

from __future__ import annotations

import os
import urllib.parse

ENGINES = {
    "sqlite": "teapot.backends.aiosqlite",
    "postgresql": "teapot.backends.asyncpg",
    "postgres": "teapot.backends.asyncpg",
    "mysql": "teapot.backends.asyncmy",
    "mariadb": "teapot.backends.asyncmy",
}


def parse_database_url(url: str) -> dict:
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


def _databases(databases) -> dict:
    if databases is None:
        url = os.environ.get("TEAPOT_DATABASE_URL", "sqlite://:memory:")
        databases = {"default": url}
    elif isinstance(databases, str):
        databases = {"default": databases}
    out = {}
    for alias, value in databases.items():
        out[alias] = parse_database_url(value) if isinstance(value, str) else dict(value)
    return out


def setup(
    databases=None,
    *,
    installed_apps=(),
    time_zone: str = "UTC",
    use_tz: bool = True,
    default_auto_field: str = "teapot.db.models.AutoField",
    **settings,
):
    """Configure teapot once per process.

    ``databases``: a URL, or a dict of alias -> URL or Django-style settings dict (default:
    ``TEAPOT_DATABASE_URL``, else an in-memory SQLite database). ``installed_apps``: app
    packages (or modules) whose ``models`` teapot loads. Other keyword arguments are passed
    to the settings as upper-case names (``debug=True`` sets ``DEBUG``).
    """
    from teapot.apps import apps
    from teapot.conf import settings as conf

    if conf.configured:
        from teapot.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("teapot.setup() was already called in this process")
    conf.configure(
        DATABASES=_databases(databases),
        INSTALLED_APPS=list(installed_apps),
        TIME_ZONE=time_zone,
        USE_TZ=use_tz,
        DEFAULT_AUTO_FIELD=default_auto_field,
        USE_I18N=settings.pop("use_i18n", False),  # no translation catalogues in the fork
        **{k.upper(): v for k, v in settings.items()},
    )
    apps.populate(conf.INSTALLED_APPS)
