"""Running an ASGI app's lifespan around a test, as a server would. Hand-written.

``httpx.ASGITransport`` sends requests only: no ``lifespan`` scope, so an app's start-up
(``teapot_lifespan`` setting teapot up, a lifespan that seeds or connects) never runs, and
the state a lifespan yields never reaches requests. ``run_lifespan(app)`` starts the app's
lifespan in a task of its own, waits for start-up, and on exit asks for shut-down and waits
for it; it gives back the app wrapped so that each request's scope carries a copy of that
state, as servers do.
"""

from __future__ import annotations

import asyncio
import contextlib


class LifespanError(RuntimeError):
    """The app's start-up or shut-down failed, or did not answer in time."""


class _StateSharingApp:
    """Gives every HTTP and WebSocket scope a shallow copy of the lifespan state."""

    def __init__(self, app, state: dict):
        self.app = app
        self.state = state

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket"):
            scope = {**scope, "state": dict(self.state)}
        await self.app(scope, receive, send)


@contextlib.asynccontextmanager
async def run_lifespan(app, *, timeout: float = 30.0):
    """``async with run_lifespan(app) as app_with_state:`` runs the lifespan's start-up on
    entry and its shut-down on exit, each within ``timeout`` seconds; a failure of either
    raises ``LifespanError`` with the app's message."""
    state: dict = {}
    to_app: asyncio.Queue = asyncio.Queue()
    from_app: asyncio.Queue = asyncio.Queue()
    scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": state}

    async def send(message):
        await from_app.put(message)

    task = asyncio.create_task(app(scope, to_app.get, send), name="ASGI lifespan")

    async def answer(expected: str) -> None:
        # The app's reply, or its end: an app that returns or raises instead has failed.
        reply = asyncio.ensure_future(from_app.get())
        try:
            async with asyncio.timeout(timeout):
                await asyncio.wait({reply, task}, return_when=asyncio.FIRST_COMPLETED)
        except TimeoutError:
            raise LifespanError(f"the app did not answer {expected} within {timeout:g} s") from None
        finally:
            if not reply.done():
                reply.cancel()
        if reply.done() and not reply.cancelled():
            message = reply.result()
            if message["type"] == f"{expected}.complete":
                return
            raise LifespanError(f"{expected} failed: {message.get('message', '')}")
        error = None if task.cancelled() else task.exception()
        raise LifespanError(f"the app ended its lifespan during {expected}: {error!r}") from error

    try:
        await to_app.put({"type": "lifespan.startup"})
        await answer("lifespan.startup")
    except BaseException:
        await _stop(task)
        raise
    try:
        yield _StateSharingApp(app, state)
    finally:
        # Also when the test failed: the app's shut-down (closing pools) runs either way.
        try:
            if not task.done():
                await to_app.put({"type": "lifespan.shutdown"})
                await answer("lifespan.shutdown")
        finally:
            await _stop(task)


async def _stop(task: asyncio.Task) -> None:
    if not task.done():
        task.cancel()
    await asyncio.gather(task, return_exceptions=True)
