"""Connection pools: one per database alias and event loop. Hand-written.

A task's DatabaseWrapper leases a connection (``connect()``) for one unit of database work:
a statement outside a transaction until its rows are read, an atomic block, an open cursor
or stream, a ``teapot.connection()`` scope. It gives it back at the unit's end
(``release_connection()``), or when the task ends. Nothing else holds it meanwhile, so two
tasks never run statements on one connection. Taking an idle connection and giving back a
clean one are plain method calls: no await that suspends, no lock, nothing sent.

What comes back:

- clean (autocommit, no transaction, no open server-side cursor): reused at once;
- dirty (a transaction or cursor left open, a task cancelled inside ``atomic``): reset in
  the background (rolled back, cursors closed) and reused, or closed if the reset fails,
  times out or is cancelled: a dirty connection never goes back to the idle queue;
- interrupted mid-statement (a cancelled query): the backend has already closed it
  (``forget_connection``) and the pool only frees its slot.

Options, in ``DATABASES[alias]["OPTIONS"]["pool"]`` (the names psycopg_pool uses, so a
Django ``"pool"`` setting reads the same): ``min_size``, ``max_size``, ``timeout`` (seconds to
wait for a connection before ``PoolTimeout``), ``max_lifetime`` and ``max_idle`` (seconds),
``reset_timeout``. ``CONN_HEALTH_CHECKS: True`` pings each idle connection before handing
it out.
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import logging
import time
import weakref

from teapot.core.exceptions import ImproperlyConfigured
from teapot.db.utils import OperationalError

logger = logging.getLogger("teapot.pool")


class PoolTimeout(OperationalError):
    """No connection of the pool became free within its ``timeout``."""


class PoolClosed(OperationalError):
    """The pool was closed (``teapot.close()``) while a task waited for a connection."""


@dataclasses.dataclass(frozen=True, slots=True)
class PoolOptions:
    min_size: int = 0
    max_size: int = 10
    timeout: float = 30.0
    max_lifetime: float = 3600.0
    max_idle: float = 600.0
    reset_timeout: float = 5.0
    health_checks: bool = False

    @classmethod
    def from_settings(cls, settings_dict) -> PoolOptions:
        given = settings_dict.get("OPTIONS", {}).get("pool", True)
        if given is True or given is False or given is None:
            # False is Django's "no psycopg pool": teapot's leases always take connections
            # from a pool of its own, here with the default options.
            given = {}
        if not isinstance(given, dict):
            raise ImproperlyConfigured(
                f"OPTIONS['pool'] must be a dict of pool options (or True or False), not {given!r}."
            )
        names = {f.name for f in dataclasses.fields(cls)} - {"health_checks"}
        unknown = sorted(set(given) - names)
        if unknown:
            raise ImproperlyConfigured(
                f"Unknown OPTIONS['pool'] option(s) {', '.join(unknown)}; the options are {', '.join(sorted(names))}."
            )
        values = {"health_checks": bool(settings_dict.get("CONN_HEALTH_CHECKS", False))}
        for name in names & set(given):
            value = given[name]
            kind = int if name.endswith("_size") else float
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ImproperlyConfigured(f"OPTIONS['pool']['{name}'] must be a number >= 0, not {value!r}.")
            values[name] = kind(value)
        options = cls(**values)
        if options.max_size < 1 or options.min_size > options.max_size:
            raise ImproperlyConfigured(
                f"OPTIONS['pool'] needs 1 <= max_size and min_size <= max_size "
                f"(min_size={options.min_size}, max_size={options.max_size})."
            )
        return options


class _Entry:
    __slots__ = ("raw", "created", "idle_since")

    def __init__(self, raw):
        self.raw = raw
        self.created = self.idle_since = time.monotonic()


class Pool:
    """The connections of one alias on one event loop.

    ``driver`` is a DatabaseWrapper of the alias that is never used for queries: the pool
    calls its ``raw_*`` methods (idle test, ping, reset, close, terminate), which take the raw
    connection as an argument.
    """

    shared = False  # see teapot.shared_transaction

    def __init__(self, driver, loop: asyncio.AbstractEventLoop):
        self.alias = driver.alias
        self.settings_dict = driver.settings_dict
        self.options = PoolOptions.from_settings(driver.settings_dict)
        self.driver = driver
        self.loop = loop
        # Server facts, read by the first connection; shared by this alias's pools on every
        # event loop, so a new loop's first query can be compiled before it connects.
        self.facts: dict = _facts.setdefault((self.alias, id(self.settings_dict)), {})
        self.closed = False
        self._size = 0  # idle + leased + opening + being reset
        self._idle: collections.deque[_Entry] = collections.deque()  # newest on the right
        self._leased: dict[object, _Entry] = {}
        self._waiters: collections.deque[asyncio.Future] = collections.deque()
        self._background: set[asyncio.Task] = set()
        self._orphans: dict[asyncio.Task, asyncio.TimerHandle] = {}  # openings nobody waits for
        self._reaper: asyncio.TimerHandle | None = None
        self._keeper = None  # an in-memory SQLite database lives while one connection does

    # -- what tests and monitoring read ------------------------------------------------

    @property
    def size(self) -> int:
        """Connections that exist: idle, in use, being opened or being reset."""
        return self._size

    @property
    def idle(self) -> int:
        return len(self._idle)

    @property
    def in_use(self) -> int:
        return len(self._leased)

    @property
    def pending(self) -> int:
        """Background work under way: resets, closings, sessions being ended, warm-up."""
        return len(self._background)

    def __repr__(self):
        return f"<Pool {self.alias!r} size={self._size} idle={self.idle} in_use={self.in_use}>"

    # -- taking a connection -----------------------------------------------------------

    async def acquire(self, wrapper):
        """A raw connection for ``wrapper`` (which opens new ones through its
        ``open_connection()``); waits up to ``timeout`` when all ``max_size`` are in use."""
        if self.closed:
            raise PoolClosed(f"The connection pool of {self.alias!r} is closed.")
        if not self.options.health_checks and (entry := self._take_idle()) is not None:
            # The common case, with nothing to wait for: no timeout to arm.
            return self._lease(entry, wrapper)
        try:
            async with asyncio.timeout(self.options.timeout):
                while True:
                    entry = self._take_idle()
                    if entry is not None:
                        if self.options.health_checks and not await self._ping(entry):
                            continue
                        return self._lease(entry, wrapper)
                    if self._size < self.options.max_size:
                        return await self._open(wrapper)
                    await self._wait()
        except TimeoutError:
            raise PoolTimeout(
                f"No connection of the pool of {self.alias!r} became free within {self.options.timeout:g} s: "
                f"all {self.options.max_size} are in use (OPTIONS['pool']['max_size']). A connection is "
                "held by an atomic block, an open cursor or stream or a teapot.connection() scope until "
                "it ends; a task that waits for other tasks' queries while it holds one needs a pool "
                "larger than the tasks it waits for."
            ) from None

    def _lease(self, entry: _Entry, wrapper):
        self._leased[entry.raw] = entry
        facts = wrapper.server_facts
        if len(facts) < len(self.facts):  # facts are only ever added
            facts.update(self.facts)
        return entry.raw

    def _take_idle(self) -> _Entry | None:
        while self._idle:
            entry = self._idle.pop()
            if self.driver.raw_is_closed(entry.raw):
                self._retire(entry, terminate=True)  # the server ended it while it was idle
                continue
            if self._expired(entry):
                self._retire(entry)
                continue
            return entry
        return None

    async def _ping(self, entry: _Entry) -> bool:
        try:
            async with asyncio.timeout(self.options.reset_timeout):
                await self.driver.raw_ping(entry.raw)
        except BaseException as exc:
            self._retire(entry, terminate=True)
            if not isinstance(exc, Exception):
                raise
            logger.info("Dropped a connection of %r that failed its health check: %r", self.alias, exc)
            return False
        return True

    async def _open(self, wrapper):
        """A new connection for ``wrapper``. It is opened in a task of its own, by a wrapper of
        its own, so that a cancelled caller (a request's deadline) leaves the opening to finish:
        the connection then joins the idle ones. A connect cut off half-way would leave the
        driver's half-made protocol behind (asyncpg's reports an exception nobody awaits)."""
        self._size += 1
        opener = self.driver.__class__(self.settings_dict, self.alias)
        opening = self.loop.create_task(opener.open_connection())
        try:
            raw = await asyncio.shield(opening)
        except asyncio.CancelledError:
            if opening.done():
                self._opened_for_nobody(opening)
            else:
                # Bounded as the pool's other background work; close() cuts it short.
                self._background.add(opening)
                self._orphans[opening] = self.loop.call_later(self.options.reset_timeout, opening.cancel)
                opening.add_done_callback(self._opened_for_nobody)
            raise
        except BaseException:
            self._size -= 1
            self._wake_one()
            raise
        entry = _Entry(raw)
        self._leased[raw] = entry
        self.facts.update(opener.server_facts)
        wrapper.server_facts.update(self.facts)
        if self._keeper is None and self.driver.raw_needs_keeper():
            self._keeper = True  # opening, once
            self._spawn(self._open_keeper())
        return raw

    def _opened_for_nobody(self, opening: asyncio.Task):
        """The end of an opening whose caller was cancelled: a new connection is idle, or
        closed if the pool closed meanwhile."""
        self._background.discard(opening)
        if (deadline := self._orphans.pop(opening, None)) is not None:
            deadline.cancel()
        if opening.cancelled() or opening.exception() is not None:
            self._size -= 1
            self._wake_one()
            return
        entry = _Entry(opening.result())
        if self.closed:
            self._retire(entry)
        else:
            self._make_idle(entry)

    async def _wait(self):
        waiter = self.loop.create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                self._wake_one()  # woken, but leaving: pass the turn on
            raise
        finally:
            if not waiter.done():
                waiter.cancel()

    def _wake_one(self):
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    # -- giving it back ----------------------------------------------------------------

    def release(self, raw, clean: bool):
        """Take back ``raw`` from its task; sync, so a finished or cancelled task never awaits."""
        entry = self._leased.pop(raw, None)
        if entry is None:
            return  # discarded already
        if self.closed:
            self._retire(entry)
        elif self._expired(entry) or self.driver.raw_is_closed(raw):
            self._retire(entry)
        elif clean and self.driver.raw_is_clean(raw):
            self._make_idle(entry)
        else:
            self._spawn(self._reset(entry))

    def discard(self, raw, end_session=None):
        """Forget ``raw``, which its backend has closed (a statement was interrupted, or the
        server ended it). ``end_session``: the server's id of its session, which may still
        be running the interrupted statement or holding a transaction's locks; it is ended
        from another connection."""
        if self._leased.pop(raw, None) is not None:
            self._size -= 1
            self._wake_one()
        if end_session is not None and not self.loop.is_closed():
            self._spawn(self._end_session(end_session))

    async def _end_session(self, session):
        async with asyncio.timeout(self.options.reset_timeout):
            await self.driver.raw_end_session(session)

    def _make_idle(self, entry: _Entry):
        entry.idle_since = time.monotonic()
        self._idle.append(entry)
        self._wake_one()
        self._schedule_reaper()

    async def _reset(self, entry: _Entry):
        try:
            async with asyncio.timeout(self.options.reset_timeout):
                await self.driver.raw_reset(entry.raw)
        except BaseException as exc:
            logger.info("Closed a connection of %r whose reset failed: %r", self.alias, exc)
            self._retire(entry, terminate=True)
            if not isinstance(exc, Exception):
                raise
            return
        if self.closed:
            self._retire(entry)
        else:
            self._make_idle(entry)

    def _retire(self, entry: _Entry, terminate=False):
        """Close ``entry`` and free its slot (at once: the closing happens in the background)."""
        self._size -= 1
        self._wake_one()
        if terminate or self.loop.is_closed():
            self.driver.raw_terminate(entry.raw)
        else:
            self._spawn(self._close_raw(entry.raw))

    async def _close_raw(self, raw):
        try:
            async with asyncio.timeout(self.options.reset_timeout):
                await self.driver.raw_close(raw)
        except BaseException:
            self.driver.raw_terminate(raw)
            raise

    def _expired(self, entry: _Entry) -> bool:
        return time.monotonic() - entry.created > self.options.max_lifetime

    def _spawn(self, coroutine):
        task = self.loop.create_task(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        task.add_done_callback(_log_failure)
        return task

    # -- idle connections: max_idle, max_lifetime, min_size ------------------------------

    def _schedule_reaper(self):
        if self._reaper is None and not self.closed:
            period = max(0.05, min(self.options.max_idle, self.options.max_lifetime) / 2)
            self._reaper = self.loop.call_later(period, self._reap)

    def _reap(self):
        self._reaper = None
        now = time.monotonic()
        for entry in list(self._idle):  # oldest first
            idle_too_long = now - entry.idle_since > self.options.max_idle and self._size > self.options.min_size
            if idle_too_long or self._expired(entry):
                self._idle.remove(entry)
                self._retire(entry)
        if self._size < self.options.min_size and not self._waiters:
            self._spawn(self._fill())
        if self._idle:
            self._schedule_reaper()

    async def _fill(self):
        """Open connections up to ``min_size``, each with a fresh wrapper of the alias."""
        while self._size < self.options.min_size and not self.closed:
            wrapper = self.driver.__class__(self.settings_dict, self.alias)
            raw = await self._open(wrapper)
            wrapper.connection = None
            self._make_idle(self._leased.pop(raw))

    async def _open_keeper(self):
        wrapper = self.driver.__class__(self.settings_dict, self.alias)
        # Opening runs statements, which fail at once while another connection of the shared
        # cache changes the schema ("database schema is locked"): try again until that
        # transaction ends. A keeper that never opened would let the database end with the
        # last of the other connections, when it is retired or closed.
        wait, deadline = 0.005, self.loop.time() + self.options.reset_timeout
        while True:
            try:
                keeper = await wrapper.open_connection()
                break
            except Exception as exc:
                if self.closed or self.loop.time() + wait > deadline:
                    self._keeper = None  # the next connection tries again
                    logger.warning("Could not open the connection that keeps %r's in-memory database: %r", self.alias, exc)
                    return
                await asyncio.sleep(wait)
                wait = min(wait * 2, 0.1)
            except BaseException:
                self._keeper = None
                raise
        wrapper.connection = None
        if self.closed:
            await self._close_raw(keeper)
        else:
            self._keeper = keeper

    def warm_up(self):
        """Start opening ``min_size`` connections (the first use of the pool calls this)."""
        if self.options.min_size:
            self._spawn(self._fill())

    # -- closing -----------------------------------------------------------------------

    async def close(self):
        """Close the idle connections and refuse new acquisitions; connections still in
        use are closed when their task gives them back."""
        self.closed = True
        if self._reaper is not None:
            self._reaper.cancel()
            self._reaper = None
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_exception(PoolClosed(f"The connection pool of {self.alias!r} was closed."))
        while self._idle:
            self._retire(self._idle.popleft())
        if self._keeper not in (None, True):
            keeper, self._keeper = self._keeper, None
            self._spawn(self._close_raw(keeper))
        # Openings nobody waits for are not waited for either: bounded by their deadline,
        # they close what they opened (cutting them short would leave half-made connections).
        while waited := self._background.difference(self._orphans):
            await asyncio.gather(*waited, return_exceptions=True)


def _log_failure(task: asyncio.Task):
    if not task.cancelled() and (exc := task.exception()) is not None:
        logger.debug("Background pool work ended with %r", exc)


# -- the pools of each event loop ------------------------------------------------------

_facts: dict[tuple, dict] = {}  # (alias, id(settings_dict)) -> server facts
_pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict] = weakref.WeakKeyDictionary()
_shutdown_guards: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, object] = weakref.WeakKeyDictionary()


def pool_for(wrapper) -> Pool:
    """The pool of ``wrapper``'s alias (and settings) on the running event loop."""
    loop = asyncio.get_running_loop()
    pools = _pools.get(loop)
    if pools is None:
        pools = _pools[loop] = {}
        _guard_loop_shutdown(loop, pools)
    key = (wrapper.alias, id(wrapper.settings_dict))
    pool = pools.get(key)
    if pool is None or pool.closed:
        driver = wrapper.__class__(wrapper.settings_dict, wrapper.alias)
        pool = pools[key] = Pool(driver, loop)
        pool.warm_up()
    return pool


def known_server_facts(wrapper) -> dict:
    """The server facts a pool of ``wrapper``'s alias read, on any event loop."""
    return _facts.get((wrapper.alias, id(wrapper.settings_dict)), {})


def pools() -> list[Pool]:
    """The open pools of the running event loop."""
    return [pool for pool in _pools.get(asyncio.get_running_loop(), {}).values() if not pool.closed]


async def close_pools():
    """Close every pool of the running event loop (``teapot.close()``). Closed pools stay
    registered until a new pool of their alias replaces them, so that the loop's shutdown
    also waits for connections given back to them later (by tasks asyncio.run cancels)."""
    for pool in list(_pools.get(asyncio.get_running_loop(), {}).values()):
        await pool.close()


async def _close_at_loop_shutdown(pools: dict):
    # An async generator the loop closes in shutdown_asyncgens(), which asyncio.run() and
    # asyncio.Runner call after the last task: a program that forgets teapot.close() still
    # closes its connections while the loop runs (no "Event loop is closed", no
    # ResourceWarning, no aiosqlite thread keeping the process alive).
    try:
        yield
    finally:
        for pool in list(pools.values()):
            await pool.close()


def _guard_loop_shutdown(loop, pools: dict):
    guard = _close_at_loop_shutdown(pools)
    try:
        guard.asend(None).send(None)  # runs to the yield; the loop's hook registers it
    except StopIteration:
        pass
    _shutdown_guards[loop] = guard  # the loop keeps only a weak reference
