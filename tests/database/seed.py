"""Raw-SQL inserts, so tests of reads and relations do not depend on the ORM's write path."""

from teapot.db import connection
from tests.database.testapp.models import Book


async def insert(model, *rows):
    """Insert each row (a dict of column values) into model's table; return the new primary keys."""
    pks = []
    async with connection.cursor() as cur:
        for row in rows:
            if model is Book:
                row = {"pages": 0, "data": "{}", **row}
            columns = ", ".join(row)
            marks = ", ".join(["%s"] * len(row))
            await cur.execute(
                f"INSERT INTO {model._meta.db_table} ({columns}) VALUES ({marks}) RETURNING id", list(row.values())
            )
            pks.append((await cur.fetchone())[0])
    return pks


async def tag_book(book_id, *tag_ids):
    async with connection.cursor() as cur:
        for tag_id in tag_ids:
            await cur.execute("INSERT INTO testapp_book_tags (book_id, tag_id) VALUES (%s, %s)", [book_id, tag_id])
