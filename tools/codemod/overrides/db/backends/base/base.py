"""Overrides of django.db.backends.base.base: cursors and the autocommit flag.

``connection.cursor()`` returns an object that is both awaitable and an async context
manager, so ``cur = await connection.cursor()`` and ``async with connection.cursor() as cur``
both work, as upstream's cursor works bare and in ``with``.
"""

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
