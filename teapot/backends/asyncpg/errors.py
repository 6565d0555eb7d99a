"""asyncpg's exceptions, and their DB-API translation (``dbapi``)."""

import asyncpg

from . import dbapi

STALE_STATEMENT = (asyncpg.exceptions.InvalidCachedStatementError, asyncpg.exceptions.OutdatedSchemaCacheError)

# What asyncpg raises, all translated to DB-API exceptions. InternalClientError: asyncpg's
# protocol state went wrong (seen when a server shutdown interrupts a statement).
DRIVER_ERRORS = (
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.DataError,
    asyncpg.exceptions.InternalClientError,
    OSError,
)


async def driver(awaitable):
    """Await a driver call, raising DB-API exceptions for asyncpg's."""
    try:
        return await awaitable
    except DRIVER_ERRORS as exc:
        raise dbapi.translate(exc) from exc
