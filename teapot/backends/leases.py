"""How a task's DatabaseWrapper leases connections, and the connection protocol the pool
calls. Hand-written; the generated ``BaseDatabaseWrapper`` lists ``LeasedConnections`` first
among its bases (tools/codemod/tables/rules.toml ``extra_bases``).

A lease starts in ``connect()`` (the generated wrapper's, from the override of upstream's),
which takes a connection from the alias's pool (teapot.pool) and ends in
``release_connection()``: ``release_if_idle()`` calls it when no cursor, stream, transaction,
savepoint or hold still needs the connection, and the task's end calls it for what is left.
Nothing here does I/O except opening a connection and the ``raw_*`` operations the pool runs.

Each backend (teapot/backends/<driver>/base.py) provides the ``raw_*`` methods for its
driver's connection object ("raw"): how to tell it is clean or closed, ping, reset, close or
abandon it, and how to end its server session from elsewhere.
"""

from __future__ import annotations

import asyncio


class LeasedConnections:
    """Leases of a task's connection from its pool, and the pool's operations on one."""

    # -- opening (the pool calls this when no idle connection is left)

    async def open_connection(self):
        """Open a new connection and set it up as upstream's connect() does (the pool calls this)."""
        self.connection = await self.get_new_connection(self.get_connection_params())
        try:
            await self.set_autocommit(self.settings_dict["AUTOCOMMIT"])
            await self.init_connection_state()
        except BaseException:
            raw, self.connection = self.connection, None
            if raw is not None:
                self.raw_terminate(raw)
            raise
        from teapot.db.backends.signals import connection_created

        connection_created.send(sender=self.__class__, connection=self)
        return self.connection

    # -- leases

    @property
    def connection_pool(self):
        """The pool of this alias on the running event loop."""
        from teapot.pool import pool_for

        return pool_for(self)

    def _lease_pool(self):
        """The pool this wrapper leases from: the alias's pool on the running loop, remembered
        between leases (looking it up is most of what a lease would cost)."""
        pool = self.__dict__.get("_pool_of_loop")
        if pool is None or pool.closed or pool.loop is not asyncio.get_running_loop():
            pool = self._pool_of_loop = self.connection_pool
        return pool

    def abandon_stream(self, cursor):
        """Note a streamed cursor that was left unread (teapot.streams). No I/O: called while
        freeing objects. Outside a transaction, where nothing else holds the lease and the pool's
        reset stops the stream, the connection goes back to the pool at once, to be reset there;
        otherwise the stream is stopped before this wrapper's next statement, COMMIT or ROLLBACK.
        A backend whose reset stops a stream left on the connection says so with a class
        attribute ``reset_stops_streams = True``."""
        abandoned = self.__dict__.setdefault("_abandoned_streams", [])
        abandoned.append(cursor)
        pool = self.__dict__.get("_task_pool")
        if (
            getattr(self, "reset_stops_streams", False)
            and pool is not None
            and not pool.shared
            and self.connection is not None
            and self.autocommit
            and not self.in_atomic_block
            and not self.__dict__.get("_connection_scopes")
            and self.__dict__.get("_open_cursors") == len(abandoned)
        ):
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                return  # freed outside the loop (at exit): the task's end gives it back
            if loop is pool.loop:
                self.release_connection(clean=False)

    async def close_abandoned_streams(self):
        """Stop the streams left unread, oldest first, in this task (a backend's cursor close()
        stops an unread result on the server; a cursor of a connection that went back to the
        pool does nothing: the pool resets that connection)."""
        abandoned = self.__dict__.get("_abandoned_streams")
        while abandoned:
            await abandoned.pop(0).close()

    async def usable_with_a_lease(self):
        """``is_usable()`` of a wrapper that holds no connection (between units of work, its
        usual state): whether a connection can be leased and answers the backend's check. The
        connection is leased for the check only; one that cannot be leased (the server is
        down, the pool timed out, an atomic block lost its connection) is not usable."""
        from teapot.db import DatabaseError

        self.hold_connection()  # the check's own statement must not end the lease under it
        try:
            try:
                await self.ensure_connection()
            except (DatabaseError, OSError):
                return False
            return await self.is_usable()
        finally:
            self.drop_connection_hold()

    def hold_connection(self):
        """Keep the lease past the end of statements until drop_connection_hold(): a
        ``teapot.connection()`` scope, a schema editor (session state that must stay on one
        connection). Needs no connection yet: the next statement leases one."""
        self._connection_scopes = self.__dict__.get("_connection_scopes", 0) + 1

    def drop_connection_hold(self):
        """End a hold_connection(); the last one gives back a connection nothing else needs."""
        self._connection_scopes = self.__dict__.get("_connection_scopes", 1) - 1
        self.release_if_idle()

    def cursor_opened(self):
        """A cursor was opened on the leased connection: the lease lasts until it is closed.
        Return the connection, which the cursor hands back to cursor_closed()."""
        self._open_cursors = self.__dict__.get("_open_cursors", 0) + 1
        return self.connection

    def cursor_closed(self, raw):
        """A cursor opened on ``raw`` was closed; once nothing else needs the lease, it ends."""
        if raw is not None and raw is self.connection:
            self._open_cursors -= 1
            self.release_if_idle()

    def release_if_idle(self):
        """End the lease if no unit of work needs it: no atomic block or manual transaction, no
        open cursor or stream, no hold. Sync and without I/O: the connection is clean, and the
        pool takes it back at once."""
        pool = self.__dict__.get("_task_pool")
        if (
            pool is None
            or self.connection is None
            or self.__dict__.get("_open_cursors")
            or self.__dict__.get("_connection_scopes")
            or self.__dict__.get("_abandoned_streams")
        ):
            return
        if pool.shared:
            # The test mode: the shared transaction stays open; the task's own blocks must end.
            in_transaction = bool(self.atomic_blocks or self.__dict__.get("_open_savepoints"))
        else:
            in_transaction = self.in_atomic_block or not self.autocommit
        if not in_transaction:
            self.release_connection()

    def release_connection(self, clean=True):
        """Give this task's connection back to its pool, without I/O: a finished or cancelled
        task must not await. The pool resets (or closes) a connection that is not clean, or
        that the caller does not vouch for (``clean=False``)."""
        raw, pool = self.connection, self.__dict__.pop("_task_pool", None)
        # Streams left unread on it: the pool's reset stops them.
        abandoned = self.__dict__.pop("_abandoned_streams", None)
        if raw is None:
            return
        self.connection = None
        clean = (
            clean
            and not abandoned
            and not self.in_atomic_block
            and not self.needs_rollback
            and self.autocommit == self.settings_dict["AUTOCOMMIT"]
        )
        if pool is None:
            self.raw_terminate(raw)
        else:
            pool.release(raw, clean)

    def forget_connection(self, raw, interrupted=True):
        """Stop using ``raw`` and close it without I/O: a cancelled task must not await a
        goodbye, and a connection interrupted mid-statement must never be reused. When
        ``interrupted``, the server may still be running its statement or holding its
        transaction's locks: the pool ends that session from another connection. Inside an
        atomic block the transaction is lost, as after close(): the block is marked for
        rollback; otherwise the next query takes another connection."""
        if self.connection is not raw:
            return  # a cursor that outlived its connection: the current one is fine
        pool = self.__dict__.pop("_task_pool", None)
        self.connection = None
        # Closed by the driver itself (asyncmy closes a connection cancelled mid-read) or not,
        # the server may still be running the interrupted statement.
        session = self.raw_session(raw) if interrupted else None
        self.raw_terminate(raw)
        if pool is not None:
            pool.discard(raw, end_session=session)
        if self.in_atomic_block:
            self.closed_in_transaction = True
            self.needs_rollback = True

    def release_interrupted(self, raw):
        """Give back ``raw``, whose statement was interrupted, for a reset: for a driver that
        finishes the interrupted call before it runs anything else (SQLite's thread), so the
        pool's reset runs after it. Inside an atomic block the transaction is lost, as after
        forget_connection()."""
        if self.connection is not raw:
            return
        in_atomic_block = self.in_atomic_block
        self.release_connection(clean=False)
        if in_atomic_block:
            self.closed_in_transaction = True
            self.needs_rollback = True

    # -- the pool's operations on a driver connection ("raw"), one set per backend

    def raw_is_clean(self, raw):
        """Whether ``raw`` can serve another task as it is: in the configured autocommit mode,
        with no transaction and no cursor open. The pool resets it otherwise."""
        raise NotImplementedError("a teapot backend's DatabaseWrapper must provide raw_is_clean()")

    def raw_is_closed(self, raw):
        """Whether ``raw`` is known to be closed, by us or by the server (no I/O)."""
        raise NotImplementedError("a teapot backend's DatabaseWrapper must provide raw_is_closed()")

    async def raw_ping(self, raw):
        """One round trip (CONN_HEALTH_CHECKS); raises if the connection is unusable."""
        raise NotImplementedError("a teapot backend's DatabaseWrapper must provide raw_ping()")

    async def raw_reset(self, raw):
        """Roll back what is open and return to the configured autocommit mode."""
        raise NotImplementedError("a teapot backend's DatabaseWrapper must provide raw_reset()")

    async def raw_close(self, raw):
        """Close ``raw`` politely."""
        raise NotImplementedError("a teapot backend's DatabaseWrapper must provide raw_close()")

    def raw_terminate(self, raw):
        """Close ``raw`` at once, without I/O (idempotent)."""
        raise NotImplementedError("a teapot backend's DatabaseWrapper must provide raw_terminate()")

    def raw_session(self, raw):
        """The server's id of ``raw``'s session (for raw_end_session), or None."""
        return None

    async def raw_end_session(self, session):
        """End a session from a new connection: stop its statement, roll back its transaction."""
        raise NotImplementedError("a backend whose raw_session() gives an id provides raw_end_session()")

    def raw_needs_keeper(self):
        """Whether the database lives only while a connection is open (in-memory SQLite): the
        pool then keeps one open until it closes."""
        return False
