"""``atomic_request()``: a FastAPI dependency that runs a request's endpoint in a transaction
committed before the response is sent. Hand-written.

When the code after a yield dependency's ``yield`` runs, by FastAPI release (measured):

| FastAPI | default scope | ``Depends(..., scope="function")`` |
| --- | --- | --- |
| up to 0.105 | after the response is sent | (no ``scope``) |
| 0.106 to 0.117 | before the response is sent | (no ``scope``) |
| 0.118 to 0.120 | after | (no ``scope``) |
| 0.121.0 | after | before as a parameter, after in ``dependencies=[...]`` |
| 0.121.1 and later | after | before the response is sent |

A transaction that commits after the response has gone tells the client "done" for work that
may still fail to commit, so ``atomic_request()`` uses ``scope="function"`` and needs FastAPI
0.121.1 or later; on an older release it raises ``ImproperlyConfigured``.
"""

from __future__ import annotations

import re

import fastapi

from teapot.core.exceptions import ImproperlyConfigured
from teapot.db import transaction

__all__ = ["atomic_request"]


# The first release whose function-scoped dependencies end before the response is sent
# wherever they are declared.
FIRST_SUPPORTED = (0, 121, 1)


def _fastapi_release() -> tuple[int, int, int] | None:
    match = re.match(r"(\d+)\.(\d+)\.(\d+)", fastapi.__version__)
    return (int(match[1]), int(match[2]), int(match[3])) if match else None


def atomic_request(using=None):
    """A dependency that runs the endpoint in ``transaction.atomic(using)``::

        @app.post("/books", dependencies=[atomic_request()])
        async def create_book(...): ...

        router = APIRouter(dependencies=[atomic_request()])   # every route of the router

    The transaction starts before the endpoint runs, commits once it has returned and its
    response is built, before the response is sent (a COMMIT that fails becomes the
    response: 409 for an ``IntegrityError`` with ``install_exception_handlers``), and is
    rolled back when the endpoint raises, an ``HTTPException`` included. It is the request
    task's: a ``StreamingResponse`` body and background tasks run after the COMMIT, each
    statement in a transaction of its own, and middleware never share it. Endpoints must be
    ``async def``: a plain ``def`` endpoint runs in a thread, outside it.
    """
    release = _fastapi_release()
    if release is not None and release < FIRST_SUPPORTED:
        raise ImproperlyConfigured(
            f"atomic_request() needs FastAPI 0.121.1 or later, whose Depends(scope='function') "
            f"ends the transaction before the response is sent; FastAPI {fastapi.__version__} is installed"
        )

    async def request_transaction():
        async with transaction.atomic(using=using):
            yield

    return fastapi.Depends(request_transaction, scope="function")
