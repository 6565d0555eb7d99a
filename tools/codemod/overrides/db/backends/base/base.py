"""Overrides of django.db.backends.base.base: cursors and the autocommit flag.

``connection.cursor()`` returns an object that is both awaitable and an async context
manager, so ``cur = await connection.cursor()`` and ``async with connection.cursor() as cur``
both work, as upstream's cursor works bare and in ``with``.

on_commit callbacks may be sync or async: after a commit an async one is awaited; outside a
transaction (run at once, from sync code) it is started as a task of the running loop.
"""

import asyncio
import inspect

from codemod.overrides import override


@override("CursorContext", new=True)
class CursorContext:
    """The pending result of ``connection.cursor()``: await it or enter it."""

    __slots__ = ("_opening", "_cursor")

    def __init__(self, opening):
        self._opening = opening
        self._cursor = None

    def __await__(self):
        return self._opening.__await__()

    async def __aenter__(self):
        self._cursor = await self._opening
        return self._cursor

    async def __aexit__(self, exc_type, exc, tb):
        await self._cursor.__aexit__(exc_type, exc, tb)


@override("BaseDatabaseWrapper.cursor", upstream="1e43c3777cc2", colour="coroutine")
def cursor(self):
    """Create a cursor, opening a connection if necessary (await it, or async with it)."""
    return CursorContext(self._cursor())


@override("BaseDatabaseWrapper.chunked_cursor", upstream="c01c38bf881d", colour="coroutine")
def chunked_cursor(self):
    """
    Return a cursor that tries to avoid caching in the database (if
    supported by the database), otherwise return a regular cursor.
    """
    return self.cursor()


@override("BaseDatabaseWrapper.get_autocommit", upstream="7c6f976e0be3")
def get_autocommit(self):
    """Get the autocommit state without I/O: before connecting, the configured one."""
    if self.connection is None:
        return self.settings_dict["AUTOCOMMIT"]
    return self.autocommit


@override("BaseDatabaseWrapper.server_facts", new=True)
@property
def server_facts(self):
    """Server facts the backend reads once during the async connect (versions, features)."""
    return self.__dict__.setdefault("_server_facts", {})


@override("BaseDatabaseWrapper.server_fact", new=True)
def server_fact(self, name):
    """One server fact; the backend reads them during the async connect, so code that needs one
    (SQL compilation, feature flags) never queries."""
    try:
        return self.server_facts[name]
    except KeyError:
        raise ImproperlyConfigured(
            f"{self.display_name} server facts ({name}) are read when teapot connects; this needs "
            f"a connection to {self.alias!r} first: await connection.ensure_connection()."
        ) from None


@override("BaseDatabaseWrapper.forget_connection", new=True)
def forget_connection(self, raw):
    """Stop using ``raw``, which the backend has closed without I/O (a cancelled task must not
    await a goodbye, and a connection interrupted mid-statement must never be reused). Inside
    an atomic block the transaction is lost, as after close(): the block is marked for
    rollback and its exit drops the connection; otherwise the next query reconnects."""
    if self.connection is not raw:
        return  # a cursor that outlived its connection: the current one is fine
    if self.in_atomic_block:
        self.closed_in_transaction = True
        self.needs_rollback = True
    else:
        self.connection = None


@override("BaseDatabaseWrapper.on_commit", upstream="2fa099822b8c")
def on_commit(self, func, robust=False):
    if not callable(func):
        raise TypeError("on_commit()'s callback must be a callable.")
    if self.in_atomic_block:
        # Transaction in progress; save for execution on commit.
        self.run_on_commit.append((set(self.savepoint_ids), func, robust))
    elif not self.get_autocommit():
        raise TransactionManagementError("on_commit() cannot be used in manual transaction management")
    else:
        # No transaction in progress and in autocommit mode: run it now.
        outcome = self._call_commit_hook(func, robust, "in on_commit()")
        if inspect.isawaitable(outcome):
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                if inspect.iscoroutine(outcome):
                    outcome.close()  # never started: no "was never awaited" warning
                raise RuntimeError(
                    f"on_commit({func.__qualname__}) outside a transaction runs it at once, and an "
                    "async callback needs a running event loop: call on_commit from async code."
                ) from None
            task = loop.create_task(self._await_commit_hook(outcome, func, robust))
            self._commit_hook_tasks.add(task)
            task.add_done_callback(self._commit_hook_tasks.discard)


@override("BaseDatabaseWrapper._commit_hook_tasks", new=True)
@cached_property
def _commit_hook_tasks(self):
    """Tasks of async on_commit callbacks started outside a transaction (kept referenced)."""
    return set()


@override("BaseDatabaseWrapper._call_commit_hook", new=True)
def _call_commit_hook(self, func, robust, where):
    if not robust:
        return func()
    try:
        return func()
    except Exception as e:
        logger.error(f"Error calling {func.__qualname__} {where} (%s).", e, exc_info=True)


@override("BaseDatabaseWrapper._await_commit_hook", new=True)
async def _await_commit_hook(self, outcome, func, robust):
    if not robust:
        return await outcome
    try:
        return await outcome
    except Exception as e:
        logger.error(f"Error calling {func.__qualname__} in on_commit() (%s).", e, exc_info=True)


@override("BaseDatabaseWrapper.run_and_clear_commit_hooks", upstream="253f6ae34cdb")
async def run_and_clear_commit_hooks(self):
    self.validate_no_atomic_block()
    current_run_on_commit = self.run_on_commit
    self.run_on_commit = []
    while current_run_on_commit:
        _, func, robust = current_run_on_commit.pop(0)
        outcome = self._call_commit_hook(func, robust, "in on_commit() during transaction")
        if inspect.isawaitable(outcome):
            await self._await_commit_hook(outcome, func, robust)
