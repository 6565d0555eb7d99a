"""Streamed results and how they end. Hand-written.

``QuerySet.iterator()`` returns a ``RowStream``; underneath, ``execute_sql(chunked_fetch=True)``
returns a ``CursorReader`` that owns the open cursor (a PostgreSQL server-side cursor, a MySQL
unbuffered result, an SQLite statement). A stream ends in one of three ways:

- read to its end: the reader closes its cursor in the task that read it;
- ``aclose()`` or ``async with qs.iterator() as rows:``: the cursor is stopped there and then;
- left early (``break``, ``return``, an exception or a cancellation in the loop body, the
  stream dropped unfinished): the stream is freed at once, and freeing it does no I/O. It
  hands its cursor to its connection wrapper, which stops it before that task's next
  statement, COMMIT or ROLLBACK (``close_abandoned_streams``).

Why not async generators all the way down: Python closes an async generator that was left
unfinished later, in a task of its own (the event loop's finaliser hook), and an ``await
cursor.close()`` there runs beside the task's next statement, on the same connection. Here
nothing awaits in a finaliser, so a connection is never used by two coroutines at once.
"""

from __future__ import annotations

import asyncio

import contextvars
from collections.abc import AsyncGenerator, Awaitable
from typing import Any, Generic, Self, TypeVar

_T = TypeVar("_T")

# The readers list of the RowStream whose first step runs now: readers opened meanwhile
# belong to it. A one-item list, emptied when the step ends: a task started during the step
# (a new pooled connection's opening) copies the context and may keep it for long, and it
# must keep neither the stream nor its readers alive.
_opening: contextvars.ContextVar[list | None] = contextvars.ContextVar("teapot_opening_stream", default=None)


class CursorReader:
    """Chunks of ``size`` rows from a cursor left open for streaming, until it runs dry.

    ``wrapper`` is the connection wrapper of the task that executed the statement;
    ``sentinel`` the backend's empty fetchmany() value; ``col_count`` trims extra columns
    (None: keep every column)."""

    __slots__ = ("_wrapper", "_cursor", "_sentinel", "_col_count", "_size", "_open")

    def __init__(self, wrapper, cursor, sentinel, col_count, size):
        self._wrapper = wrapper
        self._cursor = cursor
        self._sentinel = sentinel
        self._col_count = col_count
        # A backend whose driver steps lazily reads a stream in smaller batches than asked.
        self._size = min(size, getattr(wrapper, "stream_rows_per_fetch", None) or size)
        self._open = True
        opening = _opening.get()
        if opening:
            opening[0].append(self)

    def __aiter__(self):
        return self

    async def __anext__(self):
        if not self._open:
            raise StopAsyncIteration
        try:
            rows = await self._cursor.fetchmany(self._size)
        except BaseException:
            await self.aclose()
            raise
        if not rows or rows == self._sentinel:
            await self.aclose()
            raise StopAsyncIteration
        # A driver that reads ahead (asyncmy) hands over chunks without suspending this task:
        # let the others run once per chunk, or one that is to stop the stream (a web server
        # noticing its client left) never gets the chance.
        await asyncio.sleep(0)
        if self._col_count is not None:
            rows = [row[: self._col_count] for row in rows]
        return rows

    async def aclose(self):
        """Stop the cursor now (the backends stop an unread result on the server)."""
        if self._open:
            self._open = False
            await self._cursor.close()

    def abandon(self):
        """Left unread: its connection stops it before its next statement. No I/O."""
        if self._open:
            self._open = False
            self._wrapper.abandon_stream(self._cursor)

    def __del__(self):
        self.abandon()


class RowStream(Generic[_T]):
    """What ``QuerySet.iterator()`` returns: an async iterator over the rows (``_T``: model
    instances, or dicts, tuples or values after ``values()``), read from the database a chunk
    at a time and not cached.

    Leaving the loop early is safe: the stream's cursor is stopped before the task's next
    statement. ``await rows.aclose()``, ``contextlib.aclosing(rows)`` or ``async with
    qs.iterator() as rows:`` stop it at once, also while a reference to it is kept."""

    __slots__ = ("_rows", "_readers", "_started", "_error", "__weakref__")

    def __init__(self, rows: AsyncGenerator[_T, None] | None, error: Exception | None = None) -> None:
        self._rows = rows  # the async generator of rows (None with an error)
        self._readers: list[CursorReader] = []
        self._started = False
        self._error = error  # raised when iteration starts, as Django's aiterator() does

    def __aiter__(self) -> Self:
        return self

    def __anext__(self) -> Awaitable[_T]:
        if self._started:
            return self._rows.__anext__()
        return self._start()

    async def _start(self):
        if self._error is not None:
            raise self._error
        self._started = True
        opening = [self._readers]
        token = _opening.set(opening)
        try:
            return await self._rows.__anext__()
        finally:
            opening.clear()
            _opening.reset(token)

    async def aclose(self) -> None:
        readers, self._readers = self._readers, []
        try:
            for reader in readers:
                await reader.aclose()
        finally:
            if self._rows is not None:
                await self._rows.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.aclose()

    def __del__(self):
        for reader in self._readers:
            reader.abandon()
