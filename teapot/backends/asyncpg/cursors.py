"""The asyncpg backend's cursors: DB-API-like, async. A plain cursor reads its rows with the
statement; a server-side one (``iterator()``) a chunk per FETCH."""

from __future__ import annotations

import asyncio
import logging

import asyncpg

from teapot.backends.cursors import LeasedCursor

from . import codecs, dbapi
from .connection import Connection
from .errors import DRIVER_ERRORS, STALE_STATEMENT
from .literals import quote, quote_as_psycopg
from .placeholders import MAX_PARAMETERS, bind, translate

logger = logging.getLogger("teapot.backends.asyncpg")


class Description(tuple):
    """A DB-API column description: (name, type_code, display_size, internal_size, precision,
    scale, null_ok), with ``name`` and ``type_code`` attributes as psycopg's has."""

    name = property(lambda self: self[0])
    type_code = property(lambda self: self[1])
    display_size = property(lambda self: self[2])
    internal_size = property(lambda self: self[3])
    precision = property(lambda self: self[4])
    scale = property(lambda self: self[5])
    null_ok = property(lambda self: self[6])


class AsyncCursor(LeasedCursor):
    """A DB-API-like async cursor over one connection: rows are fetched by execute()."""

    arraysize = 100

    interface_error = dbapi.InterfaceError

    def __init__(self, wrapper, connection: Connection):
        super().__init__(wrapper, connection)
        self.rowcount = -1
        self.description = None
        self._query = None  # (text sent, translation, arguments) of the last execute()
        self._rows: list = []
        self._pos = 0

    async def execute(self, sql, params=None):
        translation, args = bind(sql, params)
        if translation is None:
            text, several = sql, translate(sql, placeholders=False).several
        elif len(args) > MAX_PARAMETERS:
            # Past the protocol's limit (a long __in list): bind on the client, as psycopg does.
            text, args, several = translation.join([quote(a) for a in args]), [], translation.several
        else:
            self._query = (None, translation, args)
            (text, args), several = translation.typed_bind(args), translation.several
            await self._run(text, args, several)
            return self
        self._query = (text, None, None)
        await self._run(text, args, several)
        return self

    @property
    def query(self):
        """The last statement as bytes, its parameters written in as literals: what psycopg's
        client-side cursor sent (Django's last_executed_query, captured queries). Built only
        when read."""
        if self._query is None:
            return None
        text, translation, args = self._query
        if translation is not None:
            try:
                text = translation.join([quote_as_psycopg(a) for a in args])
            except Exception:
                text = translation.typed_bind(args)[0]  # a value without a literal: as sent
        return text.encode()

    async def executemany(self, sql, param_list):
        rowcount = 0
        for params in param_list:
            await self.execute(sql, params)
            rowcount += max(self.rowcount, 0)
        self.rowcount = rowcount
        return self

    async def _run(self, text, args, several, cache=True):
        self._check_lease()
        conn = self._conn
        try:
            await conn.begin_if_needed()
            try:
                status, rows, attributes = await self._send(conn, text, args, several, cache)
            except STALE_STATEMENT as exc:
                # The schema changed under a cached statement (ALTER ... TYPE elsewhere).
                # Forget every cached statement; outside a transaction run it again, as
                # asyncpg's own fetch() does; inside one, the error stands (the transaction
                # is aborted) and the next transaction prepares afresh.
                await conn.raw.reload_schema_state()
                conn.forget_statements()
                if conn.raw.is_in_transaction() or conn.in_transaction:
                    raise
                logger.debug("Prepared again after a schema change: %s", exc)
                status, rows, attributes = await self._send(conn, text, args, several, cache)
        except DRIVER_ERRORS as exc:
            if conn.raw.is_closed() or isinstance(exc, asyncpg.exceptions.InternalClientError):
                # The server ended the session (or the network did), or the driver lost
                # track of the protocol: the next query outside a transaction takes another
                # connection.
                self._wrapper.forget_connection(conn, interrupted=False)
            elif isinstance(exc, asyncpg.PostgresError) and conn.raw.is_in_transaction():
                conn.failed = True
            if (encoder_error := codecs.json_encoder_error(exc)) is not None:
                raise encoder_error  # nothing was sent: the connection and its transaction stand
            raise dbapi.translate(exc) from exc
        except asyncio.CancelledError:
            # The server may still be working on the statement: never reuse this connection.
            self._wrapper.forget_connection(conn)
            raise
        conn.failed = False  # in an aborted transaction only a rollback (to a savepoint) succeeds
        if attributes and any(a.type.oid == CHAR_OID for a in attributes):
            rows = _chars_as_str(rows, attributes)
        self._rows = rows
        self._pos = 0
        self.rowcount = _rowcount(status, rows)
        self.description = (
            [Description((a.name, a.type.oid, None, None, None, None, None)) for a in attributes] if attributes else None
        )

    @staticmethod
    async def _send(conn, text, args, several, cache):
        if several and not args:
            # Several statements: only the simple query protocol takes them (no rows back).
            return await conn.raw.execute(text), [], None
        # asyncpg's statement cache (its private _prepare: the public prepare() never
        # caches, and fetch() hides the parameter types and the command status).
        if cache:
            statement = await conn.raw._prepare(text, use_cache=True)
        else:
            statement = await conn.raw._prepare(text, name="", use_cache=False)
        if args:
            args = codecs.coerce(args, conn.coercers_for(text, statement))
        rows = await statement.fetch(*args)
        return statement.get_statusmsg(), rows, statement.get_attributes()

    async def callproc(self, procname, args=None):
        """Run a function as Django's psycopg cursors do (psycopg 3 has no callproc): SELECT *
        FROM it, its arguments written in as literals. Returns the arguments, as DB-API says."""
        name = '"%s"' % procname.replace('"', '""')
        literals = ", ".join(quote_as_psycopg(arg) for arg in args or ())
        await self.execute(f"SELECT * FROM {name}({literals})")
        return args

    async def fetchone(self):
        self._check_open()
        if self._pos < len(self._rows):
            row = self._rows[self._pos]
            self._pos += 1
            return tuple(row)
        return None

    async def fetchmany(self, size=None):
        self._check_open()
        size = size or self.arraysize
        rows = self._rows[self._pos : self._pos + size]
        self._pos += len(rows)
        return [tuple(r) for r in rows]

    async def fetchall(self):
        self._check_open()
        rows = self._rows[self._pos :]
        self._pos = len(self._rows)
        return [tuple(r) for r in rows]

    async def close(self):
        self._rows = []
        self._closed = True

    def __aiter__(self):
        return self

    async def __anext__(self):
        row = await self.fetchone()
        if row is None:
            raise StopAsyncIteration
        return row


class ServerSideCursor(AsyncCursor):
    """Django's chunked cursor: a server-side cursor read ``chunk_size`` rows at a time, so
    iterating a large queryset never holds it all. Outside a transaction it is declared WITH
    HOLD, as upstream does, so it outlives the implicit commit."""

    def __init__(self, wrapper, connection: Connection, name: str):
        super().__init__(wrapper, connection)
        self.name = wrapper.ops.quote_name(name)
        self._declared = False
        self._hold = False

    async def execute(self, sql, params=None):
        self._hold = self._conn.autocommit
        hold = " WITH HOLD" if self._hold else ""
        declare = f"DECLARE {self.name} NO SCROLL CURSOR{hold} FOR "
        # The name is unique per cursor: cache neither the DECLARE nor the FETCHes.
        translation, args = bind(sql, params)
        if translation is None:
            text = sql
        else:
            text, args = translation.typed_bind(args)
        await self._run(declare + text, args, several=False, cache=False)
        self._declared = True
        self._conn.open_cursors.add(self.name)
        return self

    async def _fetch(self, count: str) -> list:
        self._check_open()
        if not self._declared:
            return []
        await self._run(f"FETCH FORWARD {count} FROM {self.name}", [], several=False, cache=False)
        # asyncpg's records as they are (they index and slice as tuples do): copying a chunk
        # into tuples would hold it twice. Not kept while the next chunk is read.
        rows, self._rows = self._rows, []
        return rows

    async def fetchone(self):
        rows = await self._fetch("1")
        return rows[0] if rows else None

    async def fetchmany(self, size=None):
        return await self._fetch(str(int(size or self.arraysize)))

    async def fetchall(self):
        return await self._fetch("ALL")

    async def close(self):
        try:
            await self._close_declared()
        finally:
            self._closed = True

    async def _close_declared(self):
        connection = self._conn
        if not self._declared or not self._owned() or connection.raw.is_closed():
            # Not owned: kept past its task's end, the pool closes it (open_cursors).
            return
        self._declared = False
        if connection.failed:
            # CLOSE would only fail again, hiding the error that aborted the transaction (a
            # FETCH's, say); the rollback closes the cursor, unless it is WITH HOLD: then the
            # pool closes it when the connection comes back (open_cursors).
            if not self._hold:
                connection.open_cursors.discard(self.name)
            return
        try:
            await self._run(f"CLOSE {self.name}", [], several=False, cache=False)
        except dbapi.Error as exc:
            if getattr(exc, "sqlstate", None) != _INVALID_CURSOR_NAME or connection.failed:
                raise  # in a transaction the failed CLOSE aborted it: that must be seen
            # Gone already: behind PgBouncer in transaction mode a WITH HOLD cursor stays on
            # the server connection it was declared on, and this statement ran on another.
        connection.open_cursors.discard(self.name)


_INVALID_CURSOR_NAME = "34000"


def _rowcount(status: str, rows) -> int:
    """The row count from the command status (``UPDATE 3``, ``INSERT 0 5``, ``SELECT 2``)."""
    tail = status.rpartition(" ")[2] if status else ""
    if tail.isdigit():
        return int(tail)
    return len(rows) if rows else -1


# PostgreSQL's one-byte "char" type (pg_constraint.contype, pg_class.relkind): asyncpg gives
# bytes and takes no codec for it; psycopg gives a str, which the introspection compares
# with "p", "u", "c"...
CHAR_OID = 18


def _chars_as_str(rows, attributes):
    columns = [i for i, a in enumerate(attributes) if a.type.oid == CHAR_OID]
    converted = []
    for row in rows:
        values = list(row)
        for i in columns:
            if isinstance(values[i], bytes):
                values[i] = values[i].decode()
        converted.append(tuple(values))
    return converted
