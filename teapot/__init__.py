"""teapot: Django's ORM, natively async.

Hand-written. The subpackages apps, conf, core, db, dispatch and utils are generated from
Django by tools/rename_fork.py (git-ignored, built at install time).
"""

__version__ = "0.1.0.dev0"
VERSION = (0, 1, 0, "alpha", 0)
DJANGO_VERSION = "5.2.19"


def setup(*args, **kwargs):
    """Configure settings and the app registry; see teapot.configure.setup."""
    from teapot.configure import setup as _setup

    return _setup(*args, **kwargs)


async def close():
    """Close every database connection this task opened (call it at shutdown)."""
    from teapot.db import connections

    for conn in connections.all(initialized_only=True):
        # SQLite's close() keeps an in-memory database open; shutdown() closes it too.
        shutdown = getattr(conn, "shutdown", None)
        await (shutdown() if shutdown else conn.close())
