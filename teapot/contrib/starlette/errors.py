"""JSON error responses for teapot's exceptions, for Starlette and FastAPI apps. Hand-written.

The bodies say what went wrong in general terms only: a database's message can quote the SQL,
the values and the names of tables and constraints, so it goes to the log (logger
``teapot.contrib``), never to the client. The one exception is ``ValidationError``, whose
messages are written for end users (Django's forms show them) and are sent field by field.
"""

from __future__ import annotations

import logging

from starlette.responses import JSONResponse

from teapot.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, ValidationError
from teapot.db import DataError, IntegrityError
from teapot.db.models.deletion import ProtectedError, RestrictedError
from teapot.http import Http404
from teapot.pool import PoolTimeout

logger = logging.getLogger("teapot.contrib")


def _detail(status_code: int, detail) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status_code)


def _log(level: int, request, exc: Exception, what: str) -> None:
    logger.log(level, "%s %s: %s", request.method, request.url.path, what, exc_info=exc)


async def not_found(request, exc: ObjectDoesNotExist | Http404) -> JSONResponse:
    return _detail(404, "Not found.")


async def conflict(request, exc: IntegrityError) -> JSONResponse:
    _log(logging.INFO, request, exc, "a database constraint refused the change")
    return _detail(409, "The change conflicts with the data already stored.")


async def still_referenced(request, exc: ProtectedError | RestrictedError) -> JSONResponse:
    _log(logging.INFO, request, exc, "a delete was refused by protected or restricted relations")
    return _detail(409, "Other objects still refer to this one, so it cannot be deleted.")


async def invalid_object(request, exc: ValidationError) -> JSONResponse:
    # Shaped like FastAPI's own 422 bodies: one entry per message, with where and what kind.
    errors = []
    for field, field_errors in exc.update_error_dict({}).items():
        loc = [] if field == NON_FIELD_ERRORS else [field]
        for error in field_errors:
            message = error.message % error.params if error.params else error.message
            errors.append({"loc": loc, "msg": str(message), "type": error.code or "invalid"})
    return _detail(422, errors)


async def bad_value(request, exc: DataError) -> JSONResponse:
    _log(logging.INFO, request, exc, "the database refused a value")
    return _detail(422, "A value is out of range or malformed for where it is stored.")


async def database_busy(request, exc: PoolTimeout) -> JSONResponse:
    _log(logging.WARNING, request, exc, "no database connection became free in time")
    return _detail(503, "The database is busy. Try again later.")


# Starlette finds the handler of an exception's most specific class (through its MRO), so
# ProtectedError and RestrictedError, both IntegrityErrors, get their own.
EXCEPTION_HANDLERS = {
    ObjectDoesNotExist: not_found,
    Http404: not_found,
    IntegrityError: conflict,
    ProtectedError: still_referenced,
    RestrictedError: still_referenced,
    ValidationError: invalid_object,
    DataError: bad_value,
    PoolTimeout: database_busy,
}


def install_exception_handlers(app) -> None:
    """Add the handlers of ``EXCEPTION_HANDLERS`` to a Starlette or FastAPI app (before it
    serves its first request): 404 for ``ObjectDoesNotExist`` and ``teapot.http.Http404``, 409
    for ``IntegrityError`` (``ProtectedError``, ``RestrictedError``), 422 for ``ValidationError``
    and ``DataError``, 503 for ``teapot.pool.PoolTimeout``. Bodies are ``{"detail": ...}``."""
    for exc_class, handler in EXCEPTION_HANDLERS.items():
        app.add_exception_handler(exc_class, handler)
