"""A short teapot demo on the embedded default database (in-memory SQLite, aiosqlite)."""

import asyncio
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import teapot  # noqa: E402

teapot.setup(os.environ.get("TEAPOT_DATABASE_URL", "sqlite://:memory:"), installed_apps=["examples.demo_app"])

from teapot.db import transaction  # noqa: E402
from teapot.db.models import Avg, Count  # noqa: E402

from examples.demo_app.models import Author, Book  # noqa: E402


async def main():
    # The tables come from examples/demo_app/migrations/, written by `teapot makemigrations`.
    await teapot.migrate()
    ann = await Author.objects.create(name="Ann", age=34)
    await Author.objects.bulk_create([Author(name="Bob", age=27), Author(name="Cid", age=45)])
    async with transaction.atomic():
        await ann.books.create(title="Dune")
        await ann.books.create(title="Emma")
    print("authors:", await Author.objects.count())
    print("over 30:", [a.name async for a in Author.objects.filter(age__gt=30).order_by("name")])
    print("average age:", (await Author.objects.aggregate(avg=Avg("age")))["avg"])
    bob = await Author.objects.get(name="Bob")
    bob.age = 28
    await bob.save()
    print("got:", bob.name, (await Author.objects.get(pk=bob.pk)).age)
    books = await Book.objects.select_related("author").order_by("title")
    print("books:", [(b.title, b.author.name) for b in books])
    counts = Author.objects.annotate(n=Count("books")).order_by("name").values_list("name", "n")
    print("books per author:", await counts)
    deleted, _ = await ann.delete()
    print("deleted with cascade:", deleted, "rows; books left:", await Book.objects.count())


async def run():
    try:
        await main()
    finally:
        await teapot.close()


if __name__ == "__main__":
    asyncio.run(run())
