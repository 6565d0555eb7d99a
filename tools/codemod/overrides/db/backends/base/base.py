"""Overrides of django.db.backends.base.base: cursors and the autocommit flag.

``connection.cursor()`` returns an object that is both awaitable and an async context
manager, so ``cur = await connection.cursor()`` and ``async with connection.cursor() as cur``
both work, as upstream's cursor works bare and in ``with``.

on_commit callbacks may be sync or async: after a commit an async one is awaited; outside a
transaction (run at once, from sync code) it is started as a task of the running loop.
"""

import asyncio
import inspect

from tools.codemod.overrides import override
from teapot import shared_transaction
from teapot.tasks import run_to_completion


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
    """The cursor iterator() reads from; a backend that can stream results overrides it."""
    return self.cursor()


@override("BaseDatabaseWrapper.get_autocommit", upstream="7c6f976e0be3")
def get_autocommit(self):
    """Get the autocommit state without I/O: before connecting, the configured one (in the
    test mode, off: the shared transaction is open)."""
    if self.connection is None:
        return self.settings_dict["AUTOCOMMIT"] and shared_transaction.serving(self) is None
    return self.autocommit


@override("BaseDatabaseWrapper.server_facts", new=True)
@property
def server_facts(self):
    """Server facts the backend reads once during the async connect (versions, features);
    a task that has not connected yet sees those its pool read."""
    facts = self.__dict__.setdefault("_server_facts", {})
    if not facts:
        from teapot.pool import known_server_facts

        facts.update(known_server_facts(self))
    return facts


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


@override("BaseDatabaseWrapper.connect", upstream="7269984180aa")
async def connect(self):
    """Lease a connection from the alias's pool (teapot.pool), which opens one with
    open_connection() when none is idle. The lease ends at release_connection(): when the
    unit of work that needed it is over (release_if_idle) or when the task ends."""
    if "_lease_settings_checked" not in self.__dict__:
        self.check_settings()
        # Backends set state of the wrapper here (SQLite's transaction mode, the isolation
        # level); the settings do not change between leases.
        self.get_connection_params()
        self._lease_settings_checked = True
    # In the test mode, the shared transaction stands in for the pool (not for a copy of the
    # connection, whose settings have a pool of their own: teapot.shared_transaction).
    pool = shared_transaction.serving(self) or self._lease_pool()
    if not pool.shared:
        # A fresh transaction state, even if the last connection went in an atomic block (in
        # the test mode, the task's blocks opened without a connection go on in the shared one).
        self.in_atomic_block = False
        self.savepoint_ids = []
        self.atomic_blocks = []
        self.needs_rollback = False
    # Health-check and maximum-age bookkeeping start over with each connection.
    self.health_check_enabled = self.settings_dict["CONN_HEALTH_CHECKS"]
    max_age = self.settings_dict["CONN_MAX_AGE"]
    self.close_at = None if max_age is None else time.monotonic() + max_age
    self.closed_in_transaction = False
    self.errors_occurred = False
    # Pooled connections are checked by the pool.
    self.health_check_done = True
    self.connection = await pool.acquire(self)
    self._task_pool = pool
    self._open_cursors = 0
    self._open_savepoints = set()
    if pool.shared:
        # The test mode: the connection is inside the test's transaction.
        shared_transaction.adopt(self, leased=True)
        return
    # The pool hands out connections in the configured autocommit mode, with no transaction.
    self.autocommit = self.settings_dict["AUTOCOMMIT"]
    self.run_on_commit = []


@override("BaseDatabaseWrapper.ensure_connection", upstream="5d95b3c4a8e2")
async def ensure_connection(self):
    """Make sure this task holds a usable connection, taking one from the pool if needed;
    streams left unread on it are stopped first."""
    if self.__dict__.get("_abandoned_streams"):
        await self.close_abandoned_streams()
    if self.connection is not None and not self.in_atomic_block and self.raw_is_closed(self.connection):
        # The server ended the session while this task held it: take another one.
        self.forget_connection(self.connection, interrupted=False)
    if self.connection is None:
        if self.in_atomic_block and self.closed_in_transaction:
            if self.needs_rollback:
                self.validate_no_broken_transaction()  # Django's message, with its cause
            raise ProgrammingError("Cannot open a new connection in an atomic block.")
        with self.wrap_database_errors:
            await self.connect()


@override("BaseDatabaseWrapper.close", upstream="d5eb9af8a4fe")
async def close(self):
    """Give the connection back to the pool, as Django's pooled PostgreSQL backend does; the
    pool rolls back whatever is left open. Inside an atomic block the transaction is lost,
    as after upstream's close()."""
    self.validate_thread_sharing()
    self.run_on_commit = []
    if self.closed_in_transaction or self.connection is None:
        return
    self.release_connection()
    if self.in_atomic_block:
        self.closed_in_transaction = True
        self.needs_rollback = True


@override("BaseDatabaseWrapper._savepoint", upstream="56bb2ecfb471")
async def _savepoint(self, sid):
    await self._savepoint_statement(self.ops.savepoint_create_sql(sid), sid, opens=True)


@override("BaseDatabaseWrapper._savepoint_rollback", upstream="38386abe4935")
async def _savepoint_rollback(self, sid):
    try:
        await self._savepoint_statement(self.ops.savepoint_rollback_sql(sid), sid, opens=False)
    finally:
        self._open_savepoints.discard(sid)  # the block is over, whatever the outcome


@override("BaseDatabaseWrapper._savepoint_commit", upstream="3a053c3fa1d8")
async def _savepoint_commit(self, sid):
    # On failure the savepoint stays open: the block rolls back to it next.
    await self._savepoint_statement(self.ops.savepoint_commit_sql(sid), sid, opens=False)


@override("BaseDatabaseWrapper._savepoint_statement", new=True)
async def _savepoint_statement(self, sql, sid, opens):
    """Run a SAVEPOINT, ROLLBACK TO or RELEASE statement. An open savepoint holds the lease:
    in the test mode, where every task is inside the shared transaction, it is what keeps a
    task's atomic block on the connection."""
    self.hold_connection()
    try:
        async with self.cursor() as cursor:
            await cursor.execute(sql)
        if opens:
            self._open_savepoints.add(sid)
        else:
            self._open_savepoints.discard(sid)
    finally:
        self.drop_connection_hold()


@override("BaseDatabaseWrapper.commit", upstream="2e5920c88ca6")
async def commit(self):
    """COMMIT the open transaction. A cancellation that arrives while the
    COMMIT runs waits for it: the transaction is then committed and its on_commit hooks run
    (when autocommit comes back on) before the cancellation goes on; never half of that."""
    self.validate_thread_sharing()
    self.validate_no_atomic_block()
    if self.__dict__.get("_abandoned_streams"):
        await self.close_abandoned_streams()
    cancelled = await run_to_completion(self._commit(), in_this_task=True)
    # The COMMIT went through, so the connection is known to be healthy.
    self.errors_occurred = False
    self.run_commit_hooks_on_set_autocommit_on = True
    if cancelled:
        raise asyncio.CancelledError


@override("BaseDatabaseWrapper.rollback", upstream="d9311a76b285")
async def rollback(self):
    """ROLLBACK the open transaction; streams left unread are stopped first (MySQL cannot
    send anything while a result is on the wire)."""
    self.validate_thread_sharing()
    self.validate_no_atomic_block()
    if self.__dict__.get("_abandoned_streams"):
        await self.close_abandoned_streams()
    await self._rollback()
    # The ROLLBACK went through, so the connection is known to work.
    self.errors_occurred = False
    self.needs_rollback = False
    self.run_on_commit = []


@override("BaseDatabaseWrapper.set_autocommit", upstream="d48136a523d2")
async def set_autocommit(self, autocommit, force_begin_transaction_with_broken_autocommit=False):
    """Switch autocommit on or off; switching it off starts a transaction.

    ``force_begin_transaction_with_broken_autocommit`` sends an explicit BEGIN on backends
    that define ``_start_transaction_under_autocommit`` (SQLite, whose driver does not
    begin one by itself); elsewhere it changes nothing.

    After a commit, turning autocommit back on runs the on_commit hooks; a cancellation
    that arrives meanwhile waits for them, as commit() waits for the COMMIT. Back in
    autocommit mode, the transaction's lease ends.
    """
    self.validate_no_atomic_block()
    # The switch is one unit of work (SQLite's BEGIN closes a cursor half-way through it);
    # back in autocommit mode, the transaction's lease ends with it.
    self.hold_connection()
    try:
        await self.close_if_health_check_failed()
        await self.ensure_connection()

        start_transaction_under_autocommit = (
            force_begin_transaction_with_broken_autocommit
            and not autocommit
            and hasattr(self, "_start_transaction_under_autocommit")
        )

        # Hooks to run after the switch: the switch and the hooks are then seen through.
        hooks_follow = autocommit and self.run_commit_hooks_on_set_autocommit_on and self.run_on_commit
        cancelled = False
        if start_transaction_under_autocommit:
            await self._start_transaction_under_autocommit()
        elif hooks_follow:
            cancelled = await run_to_completion(self._set_autocommit(autocommit), in_this_task=True)
        elif autocommit:
            await self._set_autocommit(autocommit)
        else:
            with debug_transaction(self, "BEGIN"):
                await self._set_autocommit(autocommit)
        self.autocommit = autocommit

        if autocommit and self.run_commit_hooks_on_set_autocommit_on:
            self.run_commit_hooks_on_set_autocommit_on = False
            if hooks_follow:
                cancelled = await run_to_completion(self.run_and_clear_commit_hooks()) or cancelled
        if cancelled:
            raise asyncio.CancelledError
    finally:
        self.drop_connection_hold()


@override("BaseDatabaseWrapper.on_commit", upstream="2fa099822b8c")
def on_commit(self, func, robust=False):
    if not callable(func):
        raise TypeError("on_commit()'s callback must be a callable.")
    if self.in_atomic_block:
        # Inside a transaction: kept, with the savepoints it belongs to, until the commit.
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
            task = loop.create_task(self._await_commit_hook(outcome, func, robust, "in on_commit()"))
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
async def _await_commit_hook(self, outcome, func, robust, where):
    if not robust:
        return await outcome
    try:
        return await outcome
    except Exception as e:
        logger.error(f"Error calling {func.__qualname__} {where} (%s).", e, exc_info=True)


@override("BaseDatabaseWrapper.run_and_clear_commit_hooks", upstream="253f6ae34cdb")
async def run_and_clear_commit_hooks(self):
    self.validate_no_atomic_block()
    current_run_on_commit = self.run_on_commit
    self.run_on_commit = []
    while current_run_on_commit:
        _, func, robust = current_run_on_commit.pop(0)
        outcome = self._call_commit_hook(func, robust, "in on_commit() during transaction")
        if inspect.isawaitable(outcome):
            await self._await_commit_hook(outcome, func, robust, "in on_commit() during transaction")
