"""What the three backends' cursors share.

A cursor is made on the connection its wrapper holds at that moment and keeps using that
connection. Once the wrapper's lease has ended (the cursor was closed, its task or
``teapot.connection()`` scope ended) the pool may have leased the connection to another
task, so a statement or fetch through the cursor is refused with the driver's
``InterfaceError`` (``CURSOR_OUTLIVED_ITS_LEASE``) instead of running there.

A cursor that was closed refuses statements and fetches whether or not its lease goes on
(inside a transaction it does): ``CursorClosedError``. Django's drivers disagree on the class
of that error (psycopg's is an InterfaceError; sqlite3's and MySQLdb's a ProgrammingError, as
each backend's ``features.closed_cursor_error_class`` says), so teapot's is both.
"""

from __future__ import annotations

from operator import attrgetter

from teapot.backends import CURSOR_OUTLIVED_ITS_LEASE
from teapot.db.utils import InterfaceError, ProgrammingError


def passed_on(inner, names):
    """Read-only properties, one per name, that read the attribute of that name of the object
    held in ``inner`` (a cursor's driver cursor)."""
    return tuple(property(attrgetter(f"{inner}.{name}")) for name in names)


class CursorClosedError(InterfaceError, ProgrammingError):
    """A statement or a fetch on a cursor after its close()."""


class LeasedCursor:
    """A cursor bound to ``conn``, the connection ``wrapper`` held when it was made."""

    __slots__ = ("_wrapper", "_conn", "_closed")

    # The driver's DB-API InterfaceError: each backend's subclass names it.
    interface_error: type[Exception] = Exception

    def __init__(self, wrapper, conn):
        self._wrapper = wrapper
        self._conn = conn
        self._closed = False

    @property
    def closed(self) -> bool:
        """Whether close() was called (psycopg's attribute, which Django's tests read)."""
        return self._closed

    def _owned(self) -> bool:
        """Whether the cursor's connection is still its wrapper's."""
        return self._wrapper.connection is self._conn

    def _check_open(self) -> None:
        if self._closed:
            message = CURSOR_OUTLIVED_ITS_LEASE if not self._owned() else "This cursor is closed."
            raise CursorClosedError(message)

    def _check_lease(self) -> None:
        self._check_open()
        if self._wrapper.connection is not self._conn:
            raise self.interface_error(CURSOR_OUTLIVED_ITS_LEASE)


class DriverCursor(LeasedCursor):
    """A LeasedCursor over one of the driver's own cursors, whose row count, last row id and
    description it passes on."""

    __slots__ = ("_cursor",)

    def __init__(self, wrapper, conn, cursor):
        super().__init__(wrapper, conn)
        self._cursor = cursor

    rowcount, lastrowid, description = passed_on("_cursor", ("rowcount", "lastrowid", "description"))
