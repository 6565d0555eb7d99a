"""The service under test: a Starlette app whose lifespan sets teapot up and records its
start-up and shut-down in ``events``."""

import contextlib

from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from notes.models import Author, Note
from teapot.contrib.starlette import teapot_lifespan

events = []


@contextlib.asynccontextmanager
async def record_lifespan(app):
    events.append("startup")
    yield {"greeting": "hello"}
    events.append("shutdown")


async def create_note(request):
    author = await Author.objects.aget(pk=int(request.query_params["author"]))
    note = await Note.objects.acreate(author=author, text=request.query_params["text"])
    return JSONResponse({"id": note.pk}, status_code=201)


async def count_notes(request):
    return JSONResponse({"notes": await Note.objects.acount()})


async def greeting(request):
    return JSONResponse({"greeting": request.state.greeting})


app = Starlette(
    routes=[
        Route("/notes", create_note, methods=["POST"]),
        Route("/notes/count", count_notes),
        Route("/greeting", greeting),
    ],
    lifespan=teapot_lifespan(lifespan=record_lifespan),
)
