"""atomic_endpoint: a Starlette endpoint in a transaction that is committed before its
response is sent. Hand-written.

Starlette calls an endpoint, and sends the response it returned only once it has returned:
a transaction around the endpoint itself therefore ends (COMMIT, or ROLLBACK on an
exception) before the client sees anything. A middleware's transaction around the whole ASGI
call would end only after the response had started, and the endpoint may not even run in the
middleware's task (``BaseHTTPMiddleware`` runs it in another), so teapot offers no such
middleware.
"""

from __future__ import annotations

import functools

from starlette.endpoints import HTTPEndpoint

from teapot.db import transaction

# The handler names HTTPEndpoint dispatches to.
_HANDLERS = ("get", "head", "post", "put", "patch", "delete", "options")


def atomic_endpoint(endpoint=None, *, using=None):
    """Run an endpoint in ``transaction.atomic(using)``: ``@atomic_endpoint`` or
    ``@atomic_endpoint(using="other")`` on an ``async def endpoint(request)``, or on an
    ``HTTPEndpoint`` class (each of its handlers gets a transaction of its own).

    The transaction commits when the endpoint returns, before the response is sent, and is
    rolled back when it raises (an ``HTTPException`` too). A ``StreamingResponse`` body and
    background tasks run after the COMMIT, outside the transaction.
    """
    if endpoint is None:
        return functools.partial(atomic_endpoint, using=using)
    if not callable(endpoint):
        raise TypeError(f"atomic_endpoint() decorates an endpoint, not {endpoint!r}: pass the alias as using=...")
    if isinstance(endpoint, type) and issubclass(endpoint, HTTPEndpoint):
        for name in _HANDLERS:
            handler = getattr(endpoint, name, None)
            if handler is not None:
                setattr(endpoint, name, transaction.atomic(using=using)(handler))
        return endpoint
    return transaction.atomic(using=using)(endpoint)
