"""Print the project's tables and their columns as JSON (run in the project's folder)."""

import asyncio
import json

import settings  # noqa: F401  (configures teapot)

import teapot
from teapot.db import connection


async def main():
    async with connection.cursor() as cursor:
        names = await connection.introspection.table_names(cursor)
        tables = {}
        for name in names:
            description = await connection.introspection.get_table_description(cursor, name)
            tables[name] = sorted(column.name for column in description)
    await teapot.close()
    print(json.dumps(tables))


asyncio.run(main())
