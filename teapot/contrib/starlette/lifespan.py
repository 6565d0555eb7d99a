"""teapot_lifespan(): teapot set up for an ASGI app, its pools closed when the app shuts down.
Hand-written."""

from __future__ import annotations

import contextlib
import inspect

import teapot


def teapot_lifespan(databases=None, *, lifespan=None, **setup_kwargs):
    """A lifespan for ``Starlette(lifespan=...)`` and ``FastAPI(lifespan=...)``.

    With settings (``databases``, ``installed_apps=...``, ``from_django=...``: what
    ``teapot.setup()`` takes), teapot is set up right away, when this is called, so that the
    models modules can be imported after it. Without settings it uses teapot as set up
    already, and sets it up from the environment (``TEAPOT_DATABASE_URL``) if nobody has.

    ``lifespan``: the app's own lifespan (a callable taking the app and returning an async
    context manager), entered inside teapot's: its start-up and shut-down code can query, and
    what it yields (the lifespan state) is passed on. When the app shuts down, after that
    lifespan has ended, or when its start-up fails, every pool of the event loop is closed
    (``await teapot.close()``).
    """
    from teapot.conf import settings
    from teapot.core.exceptions import ImproperlyConfigured

    if lifespan is not None and (
        not callable(lifespan) or inspect.isasyncgenfunction(lifespan) or inspect.isgeneratorfunction(lifespan)
    ):
        raise TypeError(
            f"lifespan must take the app and return an async context manager, not {lifespan!r}: "
            "decorate an async generator function with @contextlib.asynccontextmanager"
        )
    given = databases is not None or bool(setup_kwargs)
    if given and settings.configured:
        raise ImproperlyConfigured(
            "teapot_lifespan() was given settings, but teapot is already set up: call it without "
            "settings to use teapot as it is set up"
        )
    if not settings.configured:
        teapot.setup(databases, **setup_kwargs)

    @contextlib.asynccontextmanager
    async def teapot_lifespan_of(app):
        try:
            if lifespan is None:
                yield None
            else:
                async with lifespan(app) as state:
                    yield state
        finally:
            await teapot.close()

    return teapot_lifespan_of
