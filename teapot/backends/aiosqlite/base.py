"""SQLite backend on aiosqlite.

It subclasses the generated SQLite backend and replaces only what touches the driver:
connecting, cursors, autocommit, and the PRAGMA-based constraint helpers whose upstream
code chains calls on sqlite3's synchronous cursor. SQL generation is upstream's.

aiosqlite runs each connection's sqlite3 calls on a thread of its own; ``_on_thread`` runs a
plain function there, so Django's sqlite3 setup code (functions, PRAGMAs) runs unchanged.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time

import aiosqlite

from teapot.backends.cursors import DriverCursor
from teapot.db.backends.base.base import CursorContext
from teapot.db.backends.sqlite3 import base as sqlite3_base
from teapot.db.backends.sqlite3._functions import register as register_functions
from teapot.db.backends.utils import debug_transaction

Database = sqlite3


async def _on_thread(conn: aiosqlite.Connection, fn, *args):
    return await conn._execute(fn, *args)


# The in-memory database is shared by its connections through SQLite's shared cache, whose
# table locks fail at once with SQLITE_LOCKED: the busy timeout that makes a file database's
# writers queue is never consulted. A statement that failed so, having changed nothing, is
# tried again until the connection's timeout, as a file database would wait.
_LOCK_WAIT_FIRST = 0.001
_LOCK_WAIT_MOST = 0.05


def _unless_locked(conn: aiosqlite.Connection, busy_timeout_ms: int, fn, *args):
    """Run ``fn`` on the driver's thread, waiting for locks; return ``(True, error)`` where a
    shared-cache table lock stopped it before it changed anything, else ``(False, result)``."""
    raw = conn._conn
    _wait_for_locks(conn, busy_timeout_ms)
    changes = raw.total_changes
    try:
        return False, fn(*args)
    except sqlite3.OperationalError as exc:
        if exc.sqlite_errorcode & 0xFF == sqlite3.SQLITE_LOCKED and raw.total_changes == changes:
            return True, exc
        raise


# Where a statement runs. A trip to aiosqlite's thread costs a thread wake-up each way (tens
# of microseconds, more than a lookup by primary key takes), so statements that cannot keep
# the event loop for long run on the loop's own thread:
# - reads, under a time budget: a progress handler interrupts one that runs past it, and it
#   is run again on the driver's thread (an interrupted read changes nothing);
# - BEGIN, and inside a transaction, SAVEPOINT, RELEASE and INSERTs of bounded size: they
#   do not touch the disk's durability (the COMMIT does), so they cannot be slow;
# - a write that is the first statement of its transaction (right after its BEGIN), under the
#   reads' budget: SQLite rolls back the whole transaction of a write it interrupts, and this
#   one held nothing yet, so it is begun again on the driver's thread with the write (a
#   transaction that had read first keeps its snapshot: its writes go to the driver's thread);
# - commits: COMMIT, and INSERT, UPDATE and DELETE in autocommit. Such a write runs here in
#   a transaction of its own (BEGIN, the write and its rows under the reads' budget, then
#   COMMIT without one): interrupted before its COMMIT, it is rolled back whole and run again
#   on the driver's thread. Left to autocommit, SQLite may report an interruption of the
#   write's last RETURNING steps after it has committed, so the write would be neither
#   reported nor safe to run again. A commit waits for the disk (an fsync, about 0.1-0.3 ms on
#   an SSD, several ms while a new WAL file grows or a checkpoint runs) and cannot be
#   interrupted, so slow commits here are rationed: those that kept the loop past SLOW_COMMIT
#   may take SLOW_COMMITS_SHARE of its time (a bucket of SLOW_COMMITS_BURST seconds that
#   drains at that rate). While the bucket is full, commits go to the driver's thread. A few
#   slow commits (a cold file, a checkpoint) stay here; a disk that is slow for good holds
#   the loop for 2 % of the time at most. The durability settings are untouched: the commit
#   is the same, only the thread differs.
# Nothing on the loop's thread waits for another connection's lock: the busy timeout is 0
# there (set once and kept until the driver's thread needs it back, so consecutive statements
# here set nothing), and a statement that found the database locked, having changed nothing,
# goes to the driver's thread, which waits as sqlite3 does. ROLLBACK and everything else go to the
# driver's thread, one trip per statement with its first rows.
LOOP_THREAD_BUDGET = 0.002  # seconds a read may keep the event loop
_BUDGET_CHECK_EVERY = 1000  # SQLite virtual-machine instructions between budget checks
_BOUNDED_WRITE_PARAMS = 1000  # a larger INSERT goes to the driver's thread
PREFETCH_ROWS = 1000  # rows read with the statement; a stream's later chunks are one trip each
# A stream (iterator()) reads at most this many rows per trip whatever its chunk_size: SQLite
# steps lazily, so smaller batches cost a few trips and keep a wide table's stream small.
STREAM_ROWS_PER_FETCH = 256
_OVER_BUDGET_MAX = 512
_OVER_BUDGET_RUNS = 100  # runs on the driver's thread before a slow read is tried here again
SLOW_COMMIT = LOOP_THREAD_BUDGET  # a commit that kept the loop longer than this is slow
SLOW_COMMITS_SHARE = 0.02  # of the loop's time that slow commits may take
SLOW_COMMITS_BURST = 0.02  # seconds of slow commits that may come at once

# Reads that ran past the budget, and how many more runs go to the driver's thread: a read is
# slow once for reasons of its own (a cold cache, a garbage collection) and tried again later.
_over_budget: dict[str, int] = {}
_yielded_at = 0.0  # when a statement last let other tasks run (perf_counter)
_slow_commits = 0.0  # seconds in the bucket of slow commits (see above), as of _slow_commits_at
_slow_commits_at = 0.0  # perf_counter
_OVER_BUDGET, _LOCKED = object(), object()
_GIVES_WAY = {
    sqlite3.SQLITE_INTERRUPT: _OVER_BUDGET,
    sqlite3.SQLITE_BUSY: _LOCKED,
    sqlite3.SQLITE_LOCKED: _LOCKED,
}


def _loop_thread_budget(sql: str, raw: sqlite3.Connection, params, first_in_transaction=False) -> float | None:
    """How long ``sql`` may run on the event loop's thread (``inf``: no limit, it is bounded
    anyway), or ``None`` when it must go to the driver's thread. ``first_in_transaction``: no
    statement ran in the open transaction since its BEGIN."""
    head = sql[:9].upper()
    if head.startswith("SELECT"):
        return _read_budget(sql)
    if head.startswith("BEGIN"):
        return float("inf") if not raw.in_transaction else None
    if not raw.in_transaction:
        if _commits(sql, raw) and _commit_here():
            return _read_budget(sql)
        return None
    if head.startswith(("SAVEPOINT", "RELEASE")):
        return float("inf")
    if head.startswith("INSERT") and len(params or ()) <= _BOUNDED_WRITE_PARAMS and "SELECT" not in sql:
        return float("inf")
    if first_in_transaction and head.startswith(_WRITES):
        return _read_budget(sql)
    return None


_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _commits(sql: str, raw: sqlite3.Connection) -> bool:
    """Whether ``sql`` is a write that commits itself: INSERT, UPDATE or DELETE in autocommit."""
    return raw.isolation_level is None and not raw.in_transaction and sql[:6].upper() in ("INSERT", "UPDATE", "DELETE")


def _read_budget(sql: str) -> float | None:
    """The budget of a statement that can be interrupted, unless it went past it lately."""
    if (runs_left := _over_budget.get(sql)) is None:
        return LOOP_THREAD_BUDGET
    if runs_left <= 1:
        del _over_budget[sql]
    else:
        _over_budget[sql] = runs_left - 1
    return None


def _slow_commits_now(now: float) -> float:
    """The bucket of slow commits, drained to ``now``."""
    global _slow_commits, _slow_commits_at
    if now > _slow_commits_at:
        _slow_commits = max(0.0, _slow_commits - (now - _slow_commits_at) * SLOW_COMMITS_SHARE)
        _slow_commits_at = now
    return _slow_commits


def _commit_here(now: float | None = None) -> bool:
    """Whether the next commit may run on the loop's thread: the bucket is not full."""
    return _slow_commits_now(time.perf_counter() if now is None else now) < SLOW_COMMITS_BURST


def _commit_took(seconds: float, now: float | None = None) -> None:
    """Account for a commit that kept the loop for ``seconds``."""
    global _slow_commits
    if seconds > SLOW_COMMIT:
        _slow_commits = _slow_commits_now(time.perf_counter() if now is None else now) + seconds


def _wait_for_locks(conn: aiosqlite.Connection, busy_timeout_ms: int) -> None:
    """The connection's busy timeout as configured (on the driver's thread, before a statement
    that may wait for another connection's lock)."""
    if getattr(conn, "_lock_waits_off", False):
        conn._conn.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
        conn._lock_waits_off = False


def _waiting_for_locks(conn: aiosqlite.Connection, busy_timeout_ms: int, fn, *args):
    """Run ``fn`` on the driver's thread with the busy timeout as configured."""
    _wait_for_locks(conn, busy_timeout_ms)
    return fn(*args)


def _never_wait_for_locks(conn: aiosqlite.Connection) -> None:
    """The busy timeout at 0 (on the loop's thread). Kept so until a statement on the driver's
    thread needs it back: consecutive statements here set nothing."""
    if not getattr(conn, "_lock_waits_off", False):
        conn._conn.execute("PRAGMA busy_timeout = 0")
        conn._lock_waits_off = True


def _past(budget: float):
    """A progress handler that interrupts the statement once ``budget`` seconds have passed."""
    deadline = time.perf_counter() + budget
    return lambda: time.perf_counter() > deadline


def _on_loop_thread(conn: aiosqlite.Connection, budget: float, fn, *args):
    """Run ``fn`` here, on the event loop's thread, without waiting for locks and within
    ``budget`` seconds. Where it stopped before changing anything, because it ran past the
    budget or found the database locked, return ``_OVER_BUDGET`` or ``_LOCKED``: it is to run
    on the driver's thread instead."""
    raw = conn._conn
    changes, in_transaction = raw.total_changes, raw.in_transaction
    _never_wait_for_locks(conn)
    if budget != float("inf"):
        raw.set_progress_handler(_past(budget), _BUDGET_CHECK_EVERY)
    try:
        return fn(*args)
    except sqlite3.OperationalError as exc:
        gave_way = _GIVES_WAY.get(exc.sqlite_errorcode & 0xFF)
        if gave_way and raw.total_changes == changes and raw.in_transaction == in_transaction:
            return gave_way
        raise
    finally:
        if budget != float("inf"):
            raw.set_progress_handler(None, 0)


def _committed_alone(raw: sqlite3.Connection, run, query, params):
    """Run an autocommit write (on the loop's thread, under a progress handler) in a
    transaction of its own: ``run`` executes it and reads all its rows, then the handler is
    lifted and it commits. Stopped by the budget or a lock before the COMMIT, it is rolled
    back and ``_OVER_BUDGET`` / ``_LOCKED`` returned: it changed nothing."""
    try:
        raw.execute("BEGIN")
        run(query, params, all_rows=True)
        raw.set_progress_handler(None, 0)
        raw.execute("COMMIT")
    except BaseException as exc:
        raw.set_progress_handler(None, 0)  # the ROLLBACK must not be interrupted
        if raw.in_transaction:  # an interrupted write has rolled its transaction back already
            raw.execute("ROLLBACK")
        if isinstance(exc, sqlite3.OperationalError) and (gave_way := _GIVES_WAY.get(exc.sqlite_errorcode & 0xFF)):
            return gave_way
        raise


def _first_write_of_transaction(conn: aiosqlite.Connection, budget: float, run, query, params):
    """Run a write that is the first statement of its transaction here, under ``budget``, with
    all its rows read. Where the budget or a lock stopped it, it changed nothing (an
    interruption also rolled back the transaction, which held nothing): return
    ``_OVER_BUDGET`` / ``_LOCKED``, for the caller to begin the transaction again if it is gone
    and run the write on the driver's thread."""
    raw = conn._conn
    changes = raw.total_changes
    _never_wait_for_locks(conn)
    raw.set_progress_handler(_past(budget), _BUDGET_CHECK_EVERY)
    try:
        return run(query, params, all_rows=True)
    except sqlite3.OperationalError as exc:
        gave_way = _GIVES_WAY.get(exc.sqlite_errorcode & 0xFF)
        if gave_way and raw.total_changes == changes:
            return gave_way
        raise
    finally:
        raw.set_progress_handler(None, 0)


def _begin_then(raw: sqlite3.Connection, begin: str, run, query, params):
    """``begin`` where no transaction is open (one that a stopped first write rolled back),
    then ``run``: on the driver's thread, in one trip."""
    if not raw.in_transaction:
        raw.execute(begin)
    run(query, params)


async def _take_turns() -> None:
    """Statements on the loop's thread do not suspend the task that runs them: one that has
    run them for longer than the budget lets the other tasks (and its own deadlines) run."""
    global _yielded_at
    if (now := time.perf_counter()) - _yielded_at > LOOP_THREAD_BUDGET:
        _yielded_at = now
        await asyncio.sleep(0)


def _remember_over_budget(sql: str) -> None:
    if len(_over_budget) >= _OVER_BUDGET_MAX:
        del _over_budget[next(iter(_over_budget))]
    _over_budget[sql] = _OVER_BUDGET_RUNS


_QMARK_QUERIES_MAX = 1024  # statements whose qmark form is kept
_QMARK_QUERY_LONGEST = 4096  # longer ones (many rows of placeholders) are kept apart, fewer:
_LONG_QMARK_QUERIES_MAX = 16  # a bulk_create() runs the same batch statement over and over
_qmark_queries: dict[str, str] = {}
_long_qmark_queries: dict[str, str] = {}


class QmarkCursor(sqlite3_base.SQLiteCursorWrapper):
    """Upstream's cursor, which rewrites each statement's %s to ? with a regular expression,
    keeping the rewritten text of the statements it has seen: the same few statements run
    over and over, and the rewrite cost as much as running a small INSERT."""

    def convert_query(self, query, *, param_names=None):
        if param_names is not None:
            return super().convert_query(query, param_names=param_names)
        if len(query) > _QMARK_QUERY_LONGEST:
            kept, most = _long_qmark_queries, _LONG_QMARK_QUERIES_MAX
        else:
            kept, most = _qmark_queries, _QMARK_QUERIES_MAX
        if (converted := kept.get(query)) is None:
            if len(kept) >= most:
                del kept[next(iter(kept))]
            converted = kept[query] = super().convert_query(query)
        return converted


class AsyncCursor(DriverCursor):
    """A sqlite3 cursor (upstream's SQLiteCursorWrapper, which converts %s to ?) whose
    statements run on the event loop's thread or in one trip to the driver's thread (see
    above). A statement's first rows are read with it; the rest come a trip per fetch."""

    __slots__ = ("_rows", "_start", "_exhausted", "_prefetch")
    interface_error = sqlite3.InterfaceError

    def __init__(self, wrapper, conn: aiosqlite.Connection):
        # Making a cursor does no I/O.
        super().__init__(wrapper, conn, conn._conn.cursor(QmarkCursor))
        self._prefetch = PREFETCH_ROWS
        self._rows: list = []  # read ahead; the caller has had those before _start
        self._start = 0
        self._exhausted = True

    def _run(self, query, params, all_rows=False):
        """Execute and read the first rows (or all of them); on whichever thread runs it."""
        cursor = self._cursor
        cursor.execute(query, params)
        if cursor.description is None:
            rows, exhausted = [], True
        elif all_rows:
            rows, exhausted = cursor.fetchall(), True
        else:
            rows = cursor.fetchmany(self._prefetch)
            exhausted = len(rows) < self._prefetch
        self._rows, self._start, self._exhausted = rows, 0, exhausted

    async def execute(self, query, params=None):
        self._check_lease()
        conn = self._conn
        raw = conn._conn
        # The BEGIN of the open transaction, while no other statement has run in it.
        begun, conn._begun_with = getattr(conn, "_begun_with", None), None
        first_write = begun is not None and raw.in_transaction and query[:9].upper().startswith(_WRITES)
        if (budget := _loop_thread_budget(query, raw, params, first_write)) is not None:
            await _take_turns()
            commits = _commits(query, raw)
            started = time.perf_counter()
            if commits:
                ran = _on_loop_thread(conn, budget, _committed_alone, raw, self._run, query, params)
            elif first_write and budget != float("inf"):
                ran = _first_write_of_transaction(conn, budget, self._run, query, params)
            else:
                ran = _on_loop_thread(conn, budget, self._run, query, params)
            if commits:
                _commit_took(time.perf_counter() - started)
            if ran is _OVER_BUDGET:
                _remember_over_budget(query)
            elif ran is not _LOCKED:
                if raw.in_transaction and query[:5].upper() == "BEGIN":
                    conn._begun_with = query
                return self
        self._exhausted = False  # until it is known: closing meanwhile is queued behind it
        if first_write and not raw.in_transaction:
            await self._interruptible(_begin_then, raw, begun, self._run, query, params)
        else:
            await self._interruptible(self._run, query, params)
        return self

    async def executemany(self, query, param_list):
        self._check_lease()
        self._conn._begun_with = None
        self._rows, self._start, self._exhausted = [], 0, True
        await self._interruptible(self._cursor.executemany, query, list(param_list))
        return self

    async def _interruptible(self, fn, *args):
        try:
            wait, deadline = _LOCK_WAIT_FIRST, None
            while True:
                locked, outcome = await _on_thread(
                    self._conn, _unless_locked, self._conn, self._wrapper.busy_timeout_ms, fn, *args
                )
                if not locked:
                    return outcome
                now = asyncio.get_running_loop().time()
                deadline = deadline or now + self._wrapper.lock_timeout
                if now >= deadline:
                    raise outcome
                await asyncio.sleep(min(wait, deadline - now))
                wait = min(wait * 2, _LOCK_WAIT_MOST)
        except asyncio.CancelledError:
            # The statement goes on in the driver's thread: stop it there (the one sqlite3
            # call meant for another thread); an interrupted write rolls its transaction back.
            if (raw := self._conn._connection) is not None:
                raw.interrupt()
            # What it did is known only once it ends (a BEGIN may have gone through): the
            # connection goes back to the pool, whose reset is queued behind it.
            self._wrapper.release_interrupted(self._conn)
            raise

    async def _read(self, size):
        """Up to ``size`` rows (all of them for ``None``): the buffered ones first."""
        rows, start = self._rows, self._start
        if size is not None and len(rows) - start >= size:
            self._start = start + size
            return rows[start : start + size]
        rows = rows[start:] if start else rows
        self._rows, self._start = [], 0
        if self._exhausted:
            return rows
        if size is None:
            more = await _on_thread(self._conn, self._cursor.fetchall)
            self._exhausted = True
        else:
            more = await _on_thread(self._conn, self._cursor.fetchmany, size - len(rows))
            self._exhausted = len(more) < size - len(rows)
        return rows + more if rows else more

    async def fetchone(self):
        self._check_open()
        if self._start == len(self._rows):
            if self._exhausted:
                return None
            self._rows, self._start = await _on_thread(self._conn, self._cursor.fetchmany, self._prefetch), 0
            self._exhausted = len(self._rows) < self._prefetch
            if not self._rows:
                return None
        self._start += 1
        return self._rows[self._start - 1]

    async def fetchmany(self, size=None):
        self._check_open()
        return await self._read(size or self._cursor.arraysize)

    async def fetchall(self):
        self._check_open()
        return await self._read(None)

    async def close(self):
        self._rows, self._start = [], 0
        self._closed = True
        if self._exhausted:
            self._cursor.close()  # its statement has ended: no I/O
        else:
            await _on_thread(self._conn, self._cursor.close)


class DatabaseWrapper(sqlite3_base.DatabaseWrapper):
    display_name = "SQLite"  # Django's name: messages (version checks, model checks) read the same

    @property
    def lock_timeout(self) -> float:
        """How long a statement waits for another connection's lock: sqlite3's ``timeout``
        option (seconds, 5 by default)."""
        return float(self.settings_dict["OPTIONS"].get("timeout", 5.0))

    @property
    def busy_timeout_ms(self) -> int:
        return int(self.lock_timeout * 1000)

    def _prepare_connection(self, raw: sqlite3.Connection) -> None:
        """Upstream's connection setup, run on the driver's thread."""
        register_functions(raw)
        raw.execute("PRAGMA foreign_keys = ON")
        # Some builds (macOS's) switch legacy_alter_table on, and table renames then stop
        # being atomic.
        raw.execute("PRAGMA legacy_alter_table = OFF")
        for init_command in self.init_commands:
            if init_command := init_command.strip():
                raw.execute(init_command)
        raw.isolation_level = None  # autocommit until set_autocommit says otherwise

    def _read_server_facts(self, raw: sqlite3.Connection) -> dict:
        try:
            raw.execute('SELECT JSON(\'{"a": "b"}\')')
            json_ok = True
        except sqlite3.OperationalError:
            json_ok = False
        return {"supports_json_field": json_ok, "supports_transactions": True}

    async def get_new_connection(self, conn_params):
        conn = aiosqlite.connect(**conn_params)
        # aiosqlite's worker thread is not a daemon: a connection left open (a wrapper that is
        # not in a pool, never closed) would keep the interpreter from exiting, where sqlite3's
        # connections do not. Uncommitted work is rolled back by SQLite's journal anyway.
        conn._thread.daemon = True
        await conn
        try:
            await _on_thread(conn, self._prepare_connection, conn._conn)
            self.server_facts.update(await _on_thread(conn, self._read_server_facts, conn._conn))
        except BaseException:
            await conn.close()
            raise
        return conn

    def get_connection_params(self):
        params = super().get_connection_params()
        params.pop("pool", None)  # teapot's pool options (teapot.pool)
        if params["database"] == ":memory:":
            # Every connection of this alias must see the same in-memory database.
            params["database"] = f"file:teapot_memory_{self.alias}?mode=memory&cache=shared"
        return params

    # Streams read STREAM_ROWS_PER_FETCH rows at a time (teapot.streams.CursorReader).
    stream_rows_per_fetch = STREAM_ROWS_PER_FETCH

    async def create_cursor(self, name=None):
        cursor = AsyncCursor(self, self.connection)
        if name is not None:  # chunked_cursor(): a stream's
            cursor._prefetch = STREAM_ROWS_PER_FETCH
        return cursor

    def chunked_cursor(self):
        return CursorContext(self._cursor(name="stream"))

    async def _commit(self):
        if self.connection is None:
            return
        raw = self.connection._conn
        with debug_transaction(self, "COMMIT"), self.wrap_database_errors:
            if raw.in_transaction and _commit_here():
                await _take_turns()
                started = time.perf_counter()
                ran = _on_loop_thread(self.connection, float("inf"), raw.commit)
                _commit_took(time.perf_counter() - started)
                if ran is not _LOCKED:
                    return
            await _on_thread(self.connection, _waiting_for_locks, self.connection, self.busy_timeout_ms, raw.commit)

    async def _set_autocommit(self, autocommit):
        # sqlite3: None is autocommit; '' (its default) opens transactions implicitly.
        level = None if autocommit else ""
        raw = self.connection._conn
        if not raw.in_transaction:
            raw.isolation_level = level  # no transaction to commit: no I/O
            return
        with self.wrap_database_errors:
            # Switching to autocommit commits: it may wait for a lock.
            await _on_thread(
                self.connection, _waiting_for_locks, self.connection, self.busy_timeout_ms, setattr, raw, "isolation_level", level
            )

    async def is_usable(self):
        if self.connection is None:
            return await self.usable_with_a_lease()
        return True  # an open SQLite connection is usable, as upstream's check says

    def is_in_memory_db(self):
        return self.creation.is_in_memory_db(self.settings_dict["NAME"])

    async def _pragma(self, sql):
        async with self.cursor() as cursor:
            await cursor.execute(sql)
            return await cursor.fetchall()

    async def disable_constraint_checking(self):
        await self._pragma("PRAGMA foreign_keys = OFF")
        # Inside a transaction SQLite ignores the PRAGMA: say whether checks are really off.
        return not (await self._pragma("PRAGMA foreign_keys"))[0][0]

    async def enable_constraint_checking(self):
        await self._pragma("PRAGMA foreign_keys = ON")

    async def check_constraints(self, table_names=None):
        """Raise IntegrityError for any row that breaks a foreign key (upstream's check)."""
        from teapot.db import IntegrityError

        if table_names is None:
            violations = await self._pragma("PRAGMA foreign_key_check")
        else:
            violations = []
            for table_name in table_names:
                violations += await self._pragma(
                    "PRAGMA foreign_key_check(%s)" % self.ops.quote_name(table_name)
                )
        for table_name, rowid, referenced_table_name, foreign_key_index in violations:
            fk = (await self._pragma("PRAGMA foreign_key_list(%s)" % self.ops.quote_name(table_name)))[foreign_key_index]
            column_name, referenced_column_name = fk[3:5]
            async with self.cursor() as cursor:
                pk = await self.introspection.get_primary_key_column(cursor, table_name)
                await cursor.execute(
                    "SELECT %s, %s FROM %s WHERE rowid = %%s"
                    % (self.ops.quote_name(pk), self.ops.quote_name(column_name), self.ops.quote_name(table_name)),
                    (rowid,),
                )
                primary_key_value, bad_value = await cursor.fetchone()
            raise IntegrityError(
                "The row in table '%s' with primary key '%s' has an "
                "invalid foreign key: %s.%s contains a value '%s' that "
                "does not have a corresponding value in %s.%s."
                % (
                    table_name,
                    primary_key_value,
                    table_name,
                    column_name,
                    bad_value,
                    referenced_table_name,
                    referenced_column_name,
                )
            )

    async def close(self):
        # Upstream keeps an in-memory database's connection open; the pool keeps one such
        # connection for as long as it lives (raw_needs_keeper), so this one can go back.
        await sqlite3_base.BaseDatabaseWrapper.close(self)

    # The pool's operations on a connection (see teapot.pool).

    def raw_is_clean(self, raw):
        sqlite = raw._connection
        autocommit = sqlite is not None and sqlite.isolation_level is None
        return sqlite is not None and not sqlite.in_transaction and autocommit == self.settings_dict["AUTOCOMMIT"]

    def raw_is_closed(self, raw):
        return raw._connection is None

    async def raw_ping(self, raw):
        await _on_thread(raw, raw._conn.execute, "SELECT 1")

    async def raw_reset(self, raw):
        # One call on the driver's thread, queued after anything a cancelled task left there.
        await _on_thread(raw, self._settle, raw._conn, None if self.settings_dict["AUTOCOMMIT"] else "")

    @staticmethod
    def _settle(sqlite: sqlite3.Connection, isolation_level):
        if sqlite.in_transaction:
            sqlite.rollback()
        sqlite.isolation_level = isolation_level

    async def raw_close(self, raw):
        await raw.close()

    def raw_terminate(self, raw):
        if raw._connection is not None:
            raw.stop()  # closes on the driver's thread, which then ends

    def raw_needs_keeper(self):
        return self.is_in_memory_db()
