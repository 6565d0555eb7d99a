"""An asyncpg connection with psycopg's transaction behaviour: with autocommit off, the first
statement opens a transaction (``BEGIN`` with the configured isolation level), and
``commit()``/``rollback()`` end it."""

from __future__ import annotations

import asyncio

import asyncpg

from . import codecs
from .errors import driver

class Connection:
    """An asyncpg connection with psycopg's transaction behaviour."""

    __slots__ = (
        "raw", "pid", "autocommit", "in_transaction", "failed", "begin_sql", "_coercers", "timestamps", "open_cursors",
        "zone_followed", "isolation_level", "cursor_factory",
    )

    def __init__(
        self,
        raw: asyncpg.Connection,
        begin_sql: str,
        timestamps: codecs.TimestampCoercer,
        isolation_level=None,
        cursor_factory=None,
    ):
        self.raw = raw
        self.pid = raw.get_server_pid()  # the session's id, for ending it from elsewhere
        self.autocommit = True
        self.in_transaction = False
        # The transaction is aborted: a statement failed in it, and no rollback ran since (the
        # server refuses every other statement then; psycopg's TransactionStatus.INERROR).
        self.failed = False
        self.begin_sql = begin_sql
        self.timestamps = timestamps
        self._coercers: dict[str, tuple] = {}
        self.open_cursors: set[str] = set()  # server-side cursors declared and not closed
        self.zone_followed = None  # (zone name, USE_TZ) its session and codecs are in
        # As psycopg's connection attributes: the isolation level OPTIONS set (None: the
        # server's default), and the class of the wrapper's plain cursors (OPTIONS
        # "cursor_factory", a subclass of teapot.db.backends.postgresql.base.Cursor).
        self.isolation_level = isolation_level
        self.cursor_factory = cursor_factory

    @property
    def encoding(self) -> str:
        """The session's client encoding as the server names it ("UTF8"), as psycopg2's
        ``connection.encoding``."""
        return self.raw.get_settings().client_encoding

    async def begin_if_needed(self):
        if not self.autocommit and not self.in_transaction:
            await self._control(self.begin_sql)
            self.in_transaction = True

    async def commit(self):
        if self.in_transaction:
            self.in_transaction = False
            await self._control("COMMIT")

    async def rollback(self):
        if self.in_transaction:
            self.in_transaction = False
            await self._control("ROLLBACK")

    async def _control(self, sql):
        try:
            await driver(self.raw.execute(sql))
        except asyncio.CancelledError:
            # Whether the server ran it is unknown: this connection must not be reused.
            self.raw.terminate()
            raise
        self.failed = False

    def forget_statements(self):
        self._coercers.clear()

    def is_clean(self) -> bool:
        raw = self.raw
        return not (raw.is_closed() or raw.is_in_transaction() or self.in_transaction or self.open_cursors)

    def coercers_for(self, text: str, statement) -> tuple:
        found = self._coercers.get(text)
        if found is None:
            if len(self._coercers) > 4096:
                self._coercers.clear()
            found = self._coercers[text] = codecs.coercers(statement.get_parameters(), self.timestamps)
        return found
