"""teapot_lifespan() (teapot/contrib/starlette/lifespan.py): teapot set up, the app's own
lifespan run inside teapot's, the pools closed at shut-down. The lifespan runs in a task of
its own, as under uvicorn (tests/contrib/asgi.py lifespan_of)."""

import asyncio
import contextlib
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from teapot.contrib.starlette import teapot_lifespan
from teapot.core.exceptions import ImproperlyConfigured
from teapot.pool import pools
from tests.contrib.asgi import client, lifespan_of
from tests.database.faults import fetch

ROOT = Path(__file__).resolve().parents[2]


async def greet(request: Request):
    return JSONResponse({"greeting": request.state.greeting, "one": (await fetch("SELECT 1"))[0][0]})


def app_with(lifespan, framework):
    if framework == "starlette":
        return Starlette(routes=[Route("/greet", greet)], lifespan=lifespan)
    app = FastAPI(lifespan=lifespan)
    app.add_api_route("/greet", greet)
    return app


@pytest.mark.parametrize("framework", ["starlette", "fastapi"])
async def test_the_app_lifespan_runs_inside_and_the_pools_close_after_it(framework):
    events = []

    @contextlib.asynccontextmanager
    async def own_lifespan(app):
        events.append(("start-up queries", await fetch("SELECT 1")))
        yield {"greeting": "hello"}
        events.append(("shut-down queries", await fetch("SELECT 1")))  # the pools are still open

    app = app_with(teapot_lifespan(lifespan=own_lifespan), framework)
    async with lifespan_of(app) as state:
        async with client(app, state) as http:
            response = await http.get("/greet")
        assert response.json() == {"greeting": "hello", "one": 1}
        assert pools()
    assert events == [("start-up queries", [(1,)]), ("shut-down queries", [(1,)])]
    assert pools() == []


async def test_the_pools_close_when_the_app_lifespan_fails_to_start():
    @contextlib.asynccontextmanager
    async def failing_lifespan(app):
        await fetch("SELECT 1")
        raise RuntimeError("no cache server")
        yield

    app = Starlette(lifespan=teapot_lifespan(lifespan=failing_lifespan))
    inbox, outbox = asyncio.Queue(), asyncio.Queue()
    await inbox.put({"type": "lifespan.startup"})
    with pytest.raises(RuntimeError, match="no cache server"):
        await app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, inbox.get, outbox.put)
    assert (await outbox.get())["type"] == "lifespan.startup.failed"
    assert pools() == []


def test_settings_given_when_teapot_is_already_set_up_are_refused():
    with pytest.raises(ImproperlyConfigured, match="already set up: call it without settings"):
        teapot_lifespan("sqlite://:memory:")
    with pytest.raises(ImproperlyConfigured, match="already set up"):
        teapot_lifespan(installed_apps=["tests.database.testapp"])


def test_a_lifespan_that_is_no_context_manager_factory_is_refused():
    async def generator(app):  # Starlette's older form, without @asynccontextmanager
        yield

    for bad in (generator, "lifespan"):
        with pytest.raises(TypeError, match="asynccontextmanager"):
            teapot_lifespan(lifespan=bad)


def test_settings_given_to_it_set_teapot_up_before_the_models_are_imported(tmp_path):
    # In a fresh interpreter: the settings are taken when teapot_lifespan() is called, so the
    # models module can be imported on the next line; the app's own lifespan creates the
    # table, a request writes a row, and the shut-down closes the pools.
    database = tmp_path / "app.db"
    script = textwrap.dedent(
        f"""
        import asyncio, contextlib
        from starlette.applications import Starlette
        from starlette.responses import JSONResponse
        from starlette.routing import Route
        from teapot.contrib.starlette import teapot_lifespan
        from tests.contrib.asgi import client, lifespan_of

        @contextlib.asynccontextmanager
        async def create_table(app):
            from teapot.db import connection
            async with connection.schema_editor() as editor:
                await editor.create_model(Author)
            yield

        lifespan = teapot_lifespan(
            "sqlite:///{database}", installed_apps=["tests.database.testapp"], lifespan=create_table
        )
        from tests.database.testapp.models import Author

        async def add(request):
            await Author.objects.acreate(name=request.query_params["name"])
            return JSONResponse({{"authors": await Author.objects.acount()}})

        app = Starlette(routes=[Route("/authors", add, methods=["POST"])], lifespan=lifespan)

        async def main():
            from teapot.pool import pools
            async with lifespan_of(app):
                async with client(app) as http:
                    print((await http.post("/authors", params={{"name": "Ann"}})).json())
            print("open pools:", len(pools()))

        asyncio.run(main())
        """
    )
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["{'authors': 1}", "open pools: 0"]
    with contextlib.closing(sqlite3.connect(database)) as db:
        assert db.execute("SELECT name FROM testapp_author").fetchall() == [("Ann",)]
