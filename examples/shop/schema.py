"""Creating the tables. teapot has no migrations engine yet: the service creates the tables
its models need, when they are missing, with the schema editor at start-up. A change to a
model is not applied to a table that exists; drop the table (or the database) and restart."""

from teapot.db import connections


async def create_missing_tables(models, using: str = "default") -> list[str]:
    """Create the table of each model that has none, in the order given (a referenced table
    before the tables that reference it). Returns the names of the tables created."""
    connection = connections[using]
    created = []
    async with connection.schema_editor() as editor:
        existing = set(await connection.introspection.table_names())
        for model in models:
            if model._meta.db_table not in existing:
                await editor.create_model(model)
                created.append(model._meta.db_table)
    return created
