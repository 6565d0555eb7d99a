"""The test mode: one connection, inside one transaction rolled back at the end, serves every
task of a test. Hand-written.

Outside tests, tasks never share a connection or a transaction (DESIGN §5). A test, though,
runs its fixtures, its body, the app it calls through an ASGI transport and the app's
streamed response bodies in different tasks, and wants all of their writes undone at its
end. ``shared_transaction()`` makes every task of the alias lease the same connection, one
lease at a time (statements serialised), inside a transaction it opened; each task sees the
others' writes, and an ``atomic()`` block of a task becomes a savepoint in it.

Each task's wrapper follows the mode through ``adopt()``, which the connection handler calls
when a wrapper is looked up in another mode than the one it was set up for.

The shared transaction stands in for the pool of the alias's settings (the connection
handler's ``settings_dict``: pools are per alias and settings, teapot.pool). A wrapper with
settings of its own (``connection.copy()``, which deep-copies them: Django's "a copy of this
connection, for tests that require two connections to the same database"; a wrapper made
for another database) leases from its own pool, outside the test's transaction, as it would
outside the test mode (``serving()``).
"""

from __future__ import annotations

import asyncio
import contextlib

# Aliases in the mode, and a count that changes whenever the mode starts or ends.
_active: dict[str, SharedTransaction] = {}
generation = 0


class SharedTransaction:
    """Stands in for the alias's pool while the mode lasts: every lease is the one connection,
    taken in turn (``acquire`` waits while another task holds it, up to the pool's timeout)."""

    shared = True

    def __init__(self, owner, timeout: float):
        self.alias = owner.alias
        self.settings_dict = owner.settings_dict  # the settings whose pool this stands in for
        self.owner = owner  # the wrapper that opened the transaction and leased the connection
        self.raw = owner.connection
        self.timeout = timeout
        self.lost = False
        self._turn = asyncio.Lock()
        self._checkpoints = 0
        self.holder = None  # the wrapper whose lease holds the connection now

    async def acquire(self, wrapper):
        from teapot.db import OperationalError  # teapot.db imports this module

        if self.lost:
            raise OperationalError(
                f"The shared test transaction of {self.alias!r} lost its connection (a statement was "
                "interrupted); the test's writes are gone."
            )
        try:
            async with asyncio.timeout(self.timeout):
                await self._turn.acquire()
        except TimeoutError:
            raise OperationalError(
                f"In the shared test transaction of {self.alias!r}, another task held the one connection "
                f"for over {self.timeout:g} s: a task that waits for another task's query must not hold "
                "it meanwhile (an atomic block, an open cursor or stream, a teapot.connection() scope)."
            ) from None
        self.holder = wrapper
        return self.raw

    def release(self, raw, clean: bool):
        self.holder = None
        if self._turn.locked():
            self._turn.release()

    def reclaim(self):
        """End the lease of a wrapper that still holds the connection when a test is over: one
        the test made itself with the alias's settings (``copy.copy(connection)``) and never
        closed. Outside the test mode such a wrapper would hold a connection of its own; here
        it would keep every later test waiting for the one connection."""
        holder = self.holder
        if holder is not None and self._turn.locked():
            holder.release_connection()

    def discard(self, raw, end_session=None):
        # Interrupted mid-statement: the backend closed it, and the transaction with it.
        self.lost = True
        self.release(raw, clean=False)

    async def wait_for_turn(self):
        """Wait until no task holds the connection, and keep it (the end of the mode)."""
        await self.acquire(None)

    async def checkpoint(self):
        """A savepoint of the shared transaction itself, to roll back to (teapot.testing's
        TestCase sets one before each test)."""
        await self.acquire(None)
        try:
            # A name of its own: the tasks' savepoints are named by their wrappers' counters,
            # and MySQL moves a savepoint whose name is used again.
            self._checkpoints += 1
            sid = f"teapot_test_{self._checkpoints}"
            await self.owner._savepoint(sid)
            return sid
        finally:
            self.release(None, clean=True)

    async def rollback_to(self, sid):
        """Undo everything since ``checkpoint()`` returned ``sid``; every task's wrapper starts
        over from the shared transaction's state."""
        global generation
        await self.acquire(None)
        try:
            await self.owner._savepoint_rollback(sid)
        finally:
            self.release(None, clean=True)
            generation += 1


def active(alias: str) -> SharedTransaction | None:
    return _active.get(alias)


def serving(wrapper) -> SharedTransaction | None:
    """The shared transaction ``wrapper`` leases from: its alias's, if the wrapper has the
    settings whose pool it stands in for; None otherwise (not in the test mode, or a wrapper
    with settings of its own, such as ``connection.copy()``, which leases from its own pool)."""
    shared = _active.get(wrapper.alias)
    if shared is None or wrapper.settings_dict is not shared.settings_dict:
        return None
    return shared


def adopt(wrapper, leased=False) -> None:
    """Set the transaction state of a wrapper for the current mode: inside the shared
    transaction (an open atomic block nobody exits, so that the task's own blocks are
    savepoints) or back in autocommit. ``leased``: it just leased the shared connection; its
    own blocks, if any, stay as they are."""
    shared = serving(wrapper)
    if leased:
        wrapper._mode_generation = generation
        wrapper.in_atomic_block = True
        wrapper.autocommit = False
        wrapper.closed_in_transaction = False
        return
    if wrapper.connection is not None:
        return  # leased: its unit of work ends first, in the mode it began in
    wrapper._mode_generation = generation
    wrapper.in_atomic_block = shared is not None
    wrapper.autocommit = shared is None and wrapper.settings_dict["AUTOCOMMIT"]
    wrapper.savepoint_ids = []
    wrapper.atomic_blocks = []
    wrapper.needs_rollback = False
    wrapper.commit_on_exit = True
    wrapper.run_on_commit = []
    wrapper.closed_in_transaction = False


@contextlib.asynccontextmanager
async def shared_transaction(*aliases):
    """``async with shared_transaction("default"):`` runs the block in the test mode for those
    aliases (default: "default"); every write made meanwhile, by any task, is rolled back at
    its end. Not for production: tasks wait for each other's statements."""
    global generation
    from teapot.db import DEFAULT_DB_ALIAS, connections

    aliases = aliases or (DEFAULT_DB_ALIAS,)
    for alias in aliases:
        if alias in _active:
            raise RuntimeError(f"{alias!r} is already in a shared test transaction.")
    owners = []
    try:
        for alias in aliases:
            template = connections[alias]
            owner = template.__class__(template.settings_dict, alias)
            await owner.connect()
            owners.append(owner)
            await owner.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
            owner.in_atomic_block = True  # as in an atomic block: savepoints are allowed (SQLite)
            _active[alias] = SharedTransaction(owner, owner.connection_pool.options.timeout)
        generation += 1
        yield
    finally:
        ended = [_active.pop(owner.alias) for owner in owners if owner.alias in _active]
        generation += 1
        try:
            for shared in ended:
                if not shared.lost:
                    await shared.wait_for_turn()
            for owner in owners:
                owner.in_atomic_block = False
                if owner.connection is not None and not _lost(ended, owner):
                    await owner.rollback()
                    await owner.set_autocommit(True)
        finally:
            for owner in owners:
                # Whatever went wrong above, the pool resets (rolls back) or retires it.
                owner.in_atomic_block = False
                owner.release_connection(clean=False)


def _lost(ended, owner) -> bool:
    return any(shared.owner is owner and shared.lost for shared in ended)
