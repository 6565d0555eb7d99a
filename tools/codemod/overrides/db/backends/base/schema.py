"""Overrides of django.db.backends.base.schema."""

from codemod.overrides import override


@override("BaseDatabaseSchemaEditor.__enter__", upstream="8e7838b285a9")
async def __enter__(self):
    # Connect first: building DDL reads server facts (MySQL's sql_mode, PostgreSQL's version).
    await self.connection.ensure_connection()
    self.deferred_sql = []
    if self.atomic_migration:
        self.atomic = atomic(self.connection.alias)
        await self.atomic.__aenter__()
    return self
