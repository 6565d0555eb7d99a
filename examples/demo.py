"""A short teapot demo on the embedded default database (in-memory SQLite, aiosqlite)."""

import asyncio
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import teapot  # noqa: E402

teapot.setup(os.environ.get("TEAPOT_DATABASE_URL", "sqlite://:memory:"), installed_apps=["examples.demo_app"])

from teapot.db import connection  # noqa: E402
from teapot.db.models import Avg  # noqa: E402

from examples.demo_app.models import Author  # noqa: E402


async def main():
    async with connection.schema_editor() as editor:
        await editor.create_model(Author)
    async with connection.cursor() as cur:
        for name, age in [("Ann", 34), ("Bob", 27), ("Cid", 45)]:
            await cur.execute("INSERT INTO demo_app_author (name, age) VALUES (%s, %s)", [name, age])
    print("authors:", await Author.objects.count())
    print("over 30:", [a.name async for a in Author.objects.filter(age__gt=30).order_by("name")])
    print("average age:", (await Author.objects.aggregate(avg=Avg("age")))["avg"])
    bob = await Author.objects.get(name="Bob")
    print("got:", bob.name, bob.age)
    await Author.objects.filter(pk=bob.pk).update(age=28)
    print("names:", await Author.objects.order_by("-age").values_list("name", flat=True))


async def run():
    try:
        await main()
    finally:
        await teapot.close()


if __name__ == "__main__":
    asyncio.run(run())
