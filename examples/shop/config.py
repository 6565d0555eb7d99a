"""The service's settings, read from the environment:

- ``TEAPOT_DATABASE_URL``: the database (default ``sqlite:///shop.sqlite3``, a file in the
  working directory); ``postgresql://...`` or ``mysql://...`` for a server;
- ``SHOP_POOL_MAX_SIZE``: connections the pool may open (default 10);
- ``SHOP_DIAGNOSTICS=1``: serve ``GET /diagnostics`` (pool state, recent streams), which
  the HTTP tests read; off by default, as it shows the service's internals.
"""

import os

from teapot.configure import parse_database_url

DEFAULT_URL = "sqlite:///shop.sqlite3"


def database_url() -> str:
    return os.environ.get("TEAPOT_DATABASE_URL") or DEFAULT_URL


def pool_max_size() -> int:
    return int(os.environ.get("SHOP_POOL_MAX_SIZE", "10"))


def diagnostics_enabled() -> bool:
    return os.environ.get("SHOP_DIAGNOSTICS") == "1"


def databases() -> dict:
    entry = parse_database_url(database_url())
    options = entry.setdefault("OPTIONS", {})
    options["pool"] = {"max_size": pool_max_size(), "timeout": 30}
    if entry["ENGINE"] == "teapot.backends.aiosqlite":
        # WAL: a long stream (a read) never blocks the writers, nor they it. Writers take
        # turns on one lock; under load they may wait longer than sqlite3's default 5 s.
        # IMMEDIATE: a transaction takes that lock at BEGIN and waits for it there; one that
        # read first could not write once another had committed ("database is locked").
        options.setdefault("init_command", "PRAGMA journal_mode=WAL")
        options.setdefault("transaction_mode", "IMMEDIATE")
        options.setdefault("timeout", 30)
    return {"default": entry}


def setup() -> None:
    """Set teapot up for this service (once per process)."""
    import teapot
    from teapot.conf import settings

    if not settings.configured:
        teapot.setup(databases(), installed_apps=["examples.shop"])
