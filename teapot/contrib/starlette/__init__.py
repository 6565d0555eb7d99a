"""teapot with Starlette (and FastAPI, which builds on it). Hand-written.

- ``teapot_lifespan()``: sets teapot up and closes its pools when the app shuts down;
- ``atomic_endpoint``: an endpoint in a transaction committed before its response is sent;
- ``install_exception_handlers(app)``: JSON 404 / 409 / 422 / 503 answers for teapot's
  exceptions, which never quote the SQL or the values;
- ``aget_object_or_404()`` / ``aget_list_or_404()``: HTTP 404 for missing objects.

FastAPI apps take these from ``teapot.contrib.fastapi``, which adds a transaction dependency.
"""

from teapot.contrib.starlette.errors import EXCEPTION_HANDLERS, install_exception_handlers
from teapot.contrib.starlette.lifespan import teapot_lifespan
from teapot.contrib.starlette.shortcuts import aget_list_or_404, aget_object_or_404
from teapot.contrib.starlette.transactions import atomic_endpoint

__all__ = [
    "EXCEPTION_HANDLERS",
    "aget_list_or_404",
    "aget_object_or_404",
    "atomic_endpoint",
    "install_exception_handlers",
    "teapot_lifespan",
]
