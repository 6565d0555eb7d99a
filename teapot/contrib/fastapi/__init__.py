"""teapot with FastAPI. Hand-written.

- ``atomic_request()`` (transactions.py): the endpoint in a transaction committed before the
  response is sent;
- model instances and querysets in ``jsonable_encoder`` (encoders.py, registered on import):
  their stored columns, never ``_state``;
- the Starlette pieces (teapot.contrib.starlette), which FastAPI apps use as they are:
  ``teapot_lifespan()``, ``install_exception_handlers()``, ``aget_object_or_404()``,
  ``aget_list_or_404()``.
"""

from teapot.contrib.fastapi import encoders
from teapot.contrib.fastapi.transactions import atomic_request
from teapot.contrib.starlette import (
    EXCEPTION_HANDLERS,
    aget_list_or_404,
    aget_object_or_404,
    install_exception_handlers,
    teapot_lifespan,
)

__all__ = [
    "EXCEPTION_HANDLERS",
    "aget_list_or_404",
    "aget_object_or_404",
    "atomic_request",
    "install_exception_handlers",
    "teapot_lifespan",
]

encoders.register()
