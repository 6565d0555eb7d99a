"""Run a coroutine that is known to do no I/O on this path, from sync code.

Some generated coroutines only reach the database on one branch: ``build_graph()`` of a
migration loader without a connection reads the migration files alone. Django's sync
callers (``MigrationLoader(None)`` in the autodetector's commands) must keep working, so
such a call is driven to its end here; should it ever wait for something, that is a bug in
the caller's reading of the path, reported rather than hidden.
"""

from __future__ import annotations


def run_without_io(coroutine):
    """The coroutine's result, provided it finishes without suspending once."""
    try:
        coroutine.send(None)
    except StopIteration as finished:
        return finished.value
    coroutine.close()
    raise RuntimeError(f"{coroutine.__qualname__}() waited for I/O on a path expected to have none")
