"""The DB-API 2.0 face of asyncmy that Django's MySQL backend code expects of MySQLdb:
asyncmy's exception classes already follow DB-API names."""

from __future__ import annotations

from asyncmy.errors import (  # noqa: F401
    DatabaseError,
    DataError,
    Error,
    IntegrityError,
    InterfaceError,
    InternalError,
    NotSupportedError,
    OperationalError,
    ProgrammingError,
    Warning,
)
from asyncmy.version import __version__  # noqa: F401

apilevel = "2.0"
paramstyle = "format"

# The DB-API constructor BinaryField.get_db_prep_value wraps its values in (MySQLdb's is
# bytes too); asyncmy escapes bytes as a binary literal.
Binary = bytes
