"""Setting Django up for adapt() when nobody did. Hand-written.

Django's model classes need Django's settings and app registry, not its database drivers:
a database whose backend cannot be loaded (psycopg or mysqlclient not installed, as in a
service that talks to the database through teapot alone) is given the driverless backend
(teapot.adapter.driverless) before ``django.setup()`` imports the models.
"""

from __future__ import annotations

import importlib
import os

from teapot.adapter import driverless
from teapot.adapter.errors import AdaptError


def ensure_django() -> None:
    """Django's app registry must be ready to read its models; set Django up from the
    settings module given to teapot.setup(from_django=...) when nobody did."""
    from django.apps import apps

    if apps.ready:
        return
    from django.conf import settings

    from teapot import configure

    if not settings.configured:
        module = configure.from_django_module()
        if module is None and not os.environ.get("DJANGO_SETTINGS_MODULE"):
            raise AdaptError(
                "(Django)", None, "Django is not set up: call django.setup() or teapot.setup(from_django=...) first"
            )
        if module is not None:
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", module)
    replace_unloadable_backends(settings.DATABASES)
    import django

    django.setup()


def replace_unloadable_backends(databases: dict) -> None:
    """Give each database whose Django backend cannot be imported the driverless backend."""
    from django.core.exceptions import ImproperlyConfigured

    for alias, entry in databases.items():
        engine = entry.get("ENGINE") or ""
        if not engine or engine == driverless.ENGINE:
            continue
        try:
            importlib.import_module(f"{engine}.base")
        except (ImportError, ImproperlyConfigured) as error:
            vendor = driverless.vendor_of(engine)
            if vendor is None:
                raise AdaptError(
                    "(Django)",
                    None,
                    f"DATABASES[{alias!r}]: Django's backend {engine} cannot be loaded ({error}), and teapot "
                    "does not know that database's identifier limits; install its driver",
                ) from error
            entry[driverless.VENDOR_KEY] = vendor
            entry[driverless.REASON_KEY] = f"{type(error).__name__}: {error}"
            entry["ENGINE"] = driverless.ENGINE
