"""What the integration tests need of an ASGI server: the lifespan protocol, a client, and a
look at the database at the moment a response starts."""

from __future__ import annotations

import asyncio
import contextlib

import httpx

from teapot.db import OperationalError


def client(app, state=None, raise_app_exceptions=True) -> httpx.AsyncClient:
    """An in-process client; ``state`` is the lifespan state a server copies into each
    request (httpx.ASGITransport runs no lifespan)."""
    if state is not None:
        inner = app

        async def app(scope, receive, send):
            await inner({**scope, "state": dict(state)}, receive, send)

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


@contextlib.asynccontextmanager
async def lifespan_of(app):
    """Run ``app``'s lifespan in a task of its own, as uvicorn does: start-up on entry,
    shut-down on exit. Yields the lifespan state."""
    state: dict = {}
    inbox: asyncio.Queue = asyncio.Queue()
    outbox: asyncio.Queue = asyncio.Queue()
    scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": state}
    task = asyncio.create_task(app(scope, inbox.get, outbox.put))
    await inbox.put({"type": "lifespan.startup"})
    started = await outbox.get()
    assert started["type"] == "lifespan.startup.complete", started
    try:
        yield state
    finally:
        await inbox.put({"type": "lifespan.shutdown"})
        stopped = await outbox.get()
        await task
        assert stopped["type"] == "lifespan.shutdown.complete", stopped


LOCKED = "locked by an open transaction"


class ResponseStartProbe:
    """Wraps an ASGI app. When the app starts its response (the first thing a client can
    receive), ``look()`` runs in a task of its own, on a connection of its own outside the
    request's transaction, and what it returns is kept in ``seen``. A read that finds the
    table locked by the request's uncommitted write (SQLite's shared in-memory database)
    gives ``LOCKED``."""

    def __init__(self, app, look):
        self.app = app
        self.look = look
        self.seen: list = []

    async def _look(self):
        try:
            return await self.look()
        except OperationalError as exc:
            if "locked" not in str(exc):
                raise
            return LOCKED

    async def __call__(self, scope, receive, send):
        async def send_after_looking(message):
            if message["type"] == "http.response.start":
                self.seen.append(await asyncio.create_task(self._look()))
            await send(message)

        await self.app(scope, receive, send_after_looking)
