"""Task-local connection wrappers, ``connection()`` scopes and ``gather()``. Hand-written.

``teapot.db.connections[alias]`` gives each asyncio task a DatabaseWrapper of its own, which
holds that task's transaction state. Child tasks do not inherit their parent's (a contextvar
would be copied into them): a task started inside an ``atomic`` block takes its own leases,
outside that transaction. The wrapper leases a connection from the pool for each unit of
database work (see release_if_idle in the generated base wrapper); a lease still open when
the task ends (a cursor never closed) goes back then.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import sys
import threading
import types
import weakref
from collections.abc import AsyncIterator, Awaitable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from teapot.db.backends.base.base import BaseDatabaseWrapper


class TaskLocal:
    """Attributes per asyncio task, or per thread outside a running loop (where no query can
    run: sync code only builds SQL). ``on_task_done(values)`` gets a finished task's values."""

    __slots__ = ("_tasks", "_thread", "_on_task_done", "__weakref__")

    def __init__(self, on_task_done):
        # A weak reference to a task -> its values. A plain dict of weak references rather
        # than a WeakKeyDictionary: every connection lookup reads it, and the latter's get()
        # is a Python call of its own.
        object.__setattr__(self, "_tasks", {})
        object.__setattr__(self, "_thread", threading.local())
        object.__setattr__(self, "_on_task_done", on_task_done)

    def _storage(self, create: bool) -> dict | None:
        try:
            task = asyncio.current_task()
        except RuntimeError:  # no running loop
            task = None
        if task is None:
            return self._thread.__dict__
        storage = self._tasks.get(weakref.ref(task))
        if storage is None and create:
            storage = self._tasks[weakref.ref(task, self._task_freed)] = {}
            task.add_done_callback(self._task_done)
        return storage

    def _task_freed(self, task_ref):
        # A task freed before it finished (its done callbacks never ran).
        self._tasks.pop(task_ref, None)

    def _task_done(self, task):
        storage = self._tasks.pop(weakref.ref(task), None)
        if storage:
            self._on_task_done(list(storage.values()), task.cancelled())

    def get(self, name, default=None):
        """The value of ``name`` in this task, or ``default``; without the attribute protocol,
        whose failed lookup raises an AttributeError before ``__getattr__`` runs."""
        storage = self._storage(create=False)
        return default if storage is None else storage.get(name, default)

    def __getattr__(self, name):
        storage = self._storage(create=False)
        try:
            return storage[name]
        except (KeyError, TypeError):
            raise AttributeError(name) from None

    def __setattr__(self, name, value):
        self._storage(create=True)[name] = value

    def __delattr__(self, name):
        storage = self._storage(create=False)
        try:
            del storage[name]
        except (KeyError, TypeError):
            raise AttributeError(name) from None


def release_all(wrappers, cancelled=False):
    """Give the connections of a finished task back to their pools (sync: a done callback).
    A cancelled task's connections are reset before reuse: work it started may still be
    finishing in the driver (aiosqlite's thread runs a cancelled call to its end)."""
    for wrapper in wrappers:
        wrapper.release_connection(clean=not cancelled)


@contextlib.asynccontextmanager
async def connection(using: str | None = None) -> AsyncIterator[BaseDatabaseWrapper]:
    """``async with teapot.connection():`` keeps one connection of ``using`` (default:
    "default") leased to this task for the whole scope, for session state that must last
    from one statement to the next (``SET``, temporary tables, advisory locks). The first
    statement inside leases it; the scope's end gives it back. Scopes nest; an atomic block
    still open at the end keeps its connection until it ends."""
    from teapot.db import DEFAULT_DB_ALIAS, connections

    wrapper = connections[using or DEFAULT_DB_ALIAS]
    wrapper.hold_connection()
    try:
        yield wrapper
    finally:
        wrapper.drop_connection_hold()


async def gather(*queries: Awaitable[Any], return_exceptions: bool = False) -> list[Any]:
    """Run querysets and coroutines in parallel, each in a task of its own and so on a pooled
    connection of its own; return their results in order (a queryset gives its list).

    Unlike ``asyncio.gather``, a failure cancels the others and waits for them, so no query
    outlives the call; with ``return_exceptions=True`` every one runs to its end.

    Inside an atomic block of the calling task they run one after another in this task, on
    the transaction's connection, so they see its writes and roll back with it: a
    transaction's connection is never used by two statements at once.
    """
    awaitables = [_awaitable(query) for query in queries]
    if _in_atomic_block():
        return await _one_by_one(awaitables, return_exceptions)
    tasks = [asyncio.ensure_future(awaitable) for awaitable in awaitables]
    if not tasks:
        return []
    try:
        if return_exceptions:
            await asyncio.wait(tasks)
            return [task.exception() if task.exception() is not None else task.result() for task in tasks]
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        if pending:
            first_failure = next(task for task in tasks if task.done() and task.exception() is not None)
            await _cancel_and_wait(pending)
            raise first_failure.exception()
        return [task.result() for task in tasks]
    except asyncio.CancelledError:
        await _cancel_and_wait([task for task in tasks if not task.done()])
        raise


async def run_to_completion(coroutine, *, in_this_task: bool = False) -> bool:
    """Await ``coroutine`` so that cancelling this task does not interrupt it (a COMMIT, once
    sent, must be seen through). Raise what it raises; otherwise return whether this task was
    cancelled meanwhile, for the caller to re-raise at a safe point.

    By default it runs in a task of its own (so it must not look up task-local connections).
    With ``in_this_task`` it runs in this one, step by step (see _shielded_steps): no task to
    create, and no turns of the event loop for the shield's futures and callbacks."""
    if in_this_task:
        return await _shielded_steps(coroutine)
    if _EAGER_TASKS:  # a coroutine that never waits then costs no turn of the loop
        task = asyncio.Task(coroutine, loop=asyncio.get_running_loop(), eager_start=True)
    else:
        task = asyncio.ensure_future(coroutine)
    cancelled = False
    while not task.done():
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            cancelled = True
    task.result()
    return cancelled


@types.coroutine
def _shielded_steps(coroutine):
    """Drive ``coroutine`` in the calling task and return whether a cancellation arrived.
    Each future it waits on is awaited through a stand-in: cancelling this task cancels the
    stand-in, never the coroutine's own future (a driver's read), and the wait goes on."""
    cancelled = False
    try:
        waiting_for = coroutine.send(None)
        while True:
            stand_in = _stand_in(waiting_for)
            try:
                yield stand_in
            except asyncio.CancelledError:
                cancelled = True
                if waiting_for is not None and not waiting_for.done():
                    continue  # wait on, through a new stand-in
            waiting_for = coroutine.send(None)
    except StopIteration:
        return cancelled
    except GeneratorExit:
        coroutine.close()
        raise


def _stand_in(future):
    """A future that completes when ``future`` does, and whose cancelling leaves it alone
    (``None``, a bare yield that lets other tasks run, stands for itself)."""
    if future is None:
        return None
    stand_in = future.get_loop().create_future()
    future.add_done_callback(lambda _: stand_in.done() or stand_in.set_result(None))
    stand_in._asyncio_future_blocking = True  # what awaiting a future sets before yielding it
    return stand_in


_EAGER_TASKS = sys.version_info >= (3, 12)


def _awaitable(query):
    if inspect.isawaitable(query):
        return query if inspect.iscoroutine(query) else _await(query)
    raise TypeError(f"teapot.gather() takes querysets and awaitables, not {type(query).__name__}.")


async def _await(awaitable):
    return await awaitable


def _in_atomic_block() -> bool:
    from teapot.db import connections

    return any(wrapper.in_atomic_block for wrapper in connections.all(initialized_only=True))


async def _one_by_one(awaitables, return_exceptions):
    results = []
    for index, awaitable in enumerate(awaitables):
        try:
            results.append(await awaitable)
        except Exception as exc:
            if not return_exceptions:
                for rest in awaitables[index + 1 :]:
                    rest.close()  # never started: no "was never awaited" warning
                raise
            results.append(exc)
    return results


async def _cancel_and_wait(tasks):
    for task in tasks:
        task.cancel()
    # Wait even if this task is cancelled again: their connections must be back first.
    waiting = asyncio.ensure_future(asyncio.wait(tasks))
    cancelled = False
    while not waiting.done():
        try:
            await asyncio.shield(waiting)
        except asyncio.CancelledError:
            cancelled = True
    for task in tasks:
        if not task.cancelled():
            task.exception()  # retrieved: no "exception was never retrieved"
    if cancelled:
        raise asyncio.CancelledError
