"""teapot: Django's ORM, natively async.

Hand-written. The subpackages apps, conf, core, db, dispatch and utils are generated from
Django by tools/rename_fork.py (git-ignored, built at install time).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# Imports only the standard library: `import teapot` stays light.
from teapot.configure import setup as setup

if TYPE_CHECKING:
    from collections.abc import Awaitable
    from contextlib import AbstractAsyncContextManager

    from teapot.adapter import Adapted
    from teapot.db.backends.base.base import BaseDatabaseWrapper
    from teapot.db.models import Model

__version__ = "0.1.0.dev0"
VERSION = (0, 1, 0, "alpha", 0)
DJANGO_VERSION = "5.2.19"


def adapt(*targets: Any) -> Adapted:
    """teapot model classes from Django model classes, models modules or app labels; see
    teapot.adapter.adapt."""
    from teapot.adapter import adapt as _adapt

    return _adapt(*targets)


def adapted(django_model: type) -> type[Model]:
    """The teapot class of one Django model class; see teapot.adapter.adapted."""
    from teapot.adapter import adapted as _adapted

    return _adapted(django_model)


async def close() -> None:
    """Give back this task's connections and close every connection pool of the running
    event loop (call it at shutdown; ``asyncio.run`` closes forgotten pools too)."""
    from teapot.db import connections
    from teapot.pool import close_pools

    for conn in connections.all(initialized_only=True):
        conn.release_connection()
    await close_pools()


def connection(using: str | None = None) -> AbstractAsyncContextManager[BaseDatabaseWrapper]:
    """``async with teapot.connection():`` holds a connection of ``using`` for the scope
    only, instead of until the task ends; see teapot.tasks.connection."""
    from teapot.tasks import connection as scope

    return scope(using)


async def gather(*queries: Awaitable[Any], return_exceptions: bool = False) -> list[Any]:
    """Run querysets and coroutines in parallel on separate pooled connections; see
    teapot.tasks.gather."""
    from teapot.tasks import gather as run

    return await run(*queries, return_exceptions=return_exceptions)
