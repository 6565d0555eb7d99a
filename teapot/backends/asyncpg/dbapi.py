"""The DB-API 2.0 face of asyncpg that Django's backend code expects of its driver module.

Django maps a driver's exceptions to ``teapot.db``'s by the DB-API class names
(``DatabaseErrorWrapper``); asyncpg's exceptions follow SQLSTATE classes instead. ``translate``
turns an asyncpg exception into the DB-API class of its SQLSTATE class, keeping the original
as ``__cause__``, and the SQLSTATE as ``sqlstate`` (``pgcode`` too, as psycopg2 had it).
``errors`` holds the SQLSTATE-specific classes Django checks with ``isinstance``.
"""

from __future__ import annotations

import asyncpg

__version__ = asyncpg.__version__
apilevel = "2.0"
paramstyle = "pyformat"


# The DB-API constructor BinaryField.get_db_prep_value wraps its values in; asyncpg's bytea
# codec takes bytes.
Binary = bytes


class Warning(Exception):  # noqa: A001 - the DB-API name
    pass


class Error(Exception):
    sqlstate: str | None = None

    @property
    def pgcode(self):
        return self.sqlstate


class InterfaceError(Error):
    pass


class DatabaseError(Error):
    pass


class DataError(DatabaseError):
    pass


class OperationalError(DatabaseError):
    pass


class IntegrityError(DatabaseError):
    pass


class InternalError(DatabaseError):
    pass


class ProgrammingError(DatabaseError):
    pass


class NotSupportedError(DatabaseError):
    pass


class _Errors:
    """SQLSTATE-specific classes (psycopg.errors), for the ones Django names."""

    class DuplicateDatabase(ProgrammingError):
        sqlstate = "42P04"

    class InsufficientPrivilege(ProgrammingError):
        sqlstate = "42501"

    class InvalidParameterValue(DataError):
        sqlstate = "22023"

    class UndefinedTable(ProgrammingError):
        sqlstate = "42P01"

    class QueryCanceled(OperationalError):
        sqlstate = "57014"

    class SerializationFailure(OperationalError):
        sqlstate = "40001"

    class DeadlockDetected(OperationalError):
        sqlstate = "40P01"


errors = _Errors
_BY_SQLSTATE = {
    cls.sqlstate: cls for cls in vars(_Errors).values() if isinstance(cls, type) and issubclass(cls, Error)
}

# SQLSTATE class (first two characters) -> DB-API class, as psycopg maps them.
_BY_CLASS = {
    "0A": NotSupportedError,
    "08": OperationalError,
    "20": ProgrammingError,
    "21": ProgrammingError,
    "22": DataError,
    "23": IntegrityError,
    "24": InternalError,
    "25": InternalError,
    "26": InternalError,
    "27": InternalError,
    "28": OperationalError,
    "2B": InternalError,
    "2D": InternalError,
    "2F": InternalError,
    "34": ProgrammingError,
    "38": InternalError,
    "39": InternalError,
    "3B": InternalError,
    "3D": ProgrammingError,
    "3F": ProgrammingError,
    "40": OperationalError,
    "42": ProgrammingError,
    "44": ProgrammingError,
    "53": OperationalError,
    "54": OperationalError,
    "55": OperationalError,
    "57": OperationalError,
    "58": OperationalError,
    "F0": InternalError,
    "HV": OperationalError,
    "P0": InternalError,
    "XX": InternalError,
}


def translate(exc: BaseException) -> Error:
    """The DB-API exception for an asyncpg (or connection) exception."""
    if isinstance(exc, Error):
        return exc
    sqlstate = getattr(exc, "sqlstate", None)
    if isinstance(exc, asyncpg.PostgresError) and sqlstate:
        cls = _BY_SQLSTATE.get(sqlstate) or _BY_CLASS.get(sqlstate[:2], DatabaseError)
    elif isinstance(exc, asyncpg.exceptions.DataError):  # a parameter asyncpg could not encode
        cls = DataError
    elif isinstance(exc, (asyncpg.InterfaceError, asyncpg.exceptions.InternalClientError)):
        cls = InterfaceError
    elif isinstance(exc, OSError):  # the server went away
        cls = OperationalError
    else:
        cls = DatabaseError
    message = server_message(exc) if isinstance(exc, asyncpg.PostgresError) else str(exc)
    new = cls(message)
    new.sqlstate = sqlstate
    new.__cause__ = exc
    return new


# invalid_sql_statement_name ("does not exist"), duplicate_prepared_statement ("already exists")
_PREPARED_STATEMENT_ERRORS = ("26000", "42P05")
_CACHE_HINT = (
    "teapot caches named prepared statements per connection; behind PgBouncer in transaction "
    "or statement mode the next transaction may run on another server connection, which does "
    "not have them: set DATABASES[alias][\"OPTIONS\"][\"statement_cache_size\"] = 0."
)


def server_message(exc: asyncpg.PostgresError) -> str:
    """The server's message as psycopg gives it: the primary text, then ``DETAIL:`` and
    ``HINT:`` lines, each once (asyncpg's own str() already appends the detail). For a
    prepared statement missing behind PgBouncer, teapot's setting replaces asyncpg's note
    (which names asyncpg's connect() argument and its own pool)."""
    message = exc.args[0] if exc.args else ""
    if exc.detail:
        message = f"{message}\nDETAIL:  {exc.detail}"
    hint = (exc.hint or "").partition("NOTE: pgbouncer")[0].strip()
    hints = [hint] if hint else []
    if exc.sqlstate in _PREPARED_STATEMENT_ERRORS and "__asyncpg_stmt_" in message:
        hints.append(_CACHE_HINT)
    return message + "".join(f"\nHINT:  {hint}" for hint in hints)
