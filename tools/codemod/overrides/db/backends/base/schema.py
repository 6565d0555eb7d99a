"""Overrides of django.db.backends.base.schema.

A schema editor keeps one connection leased from its start to its end (hold_connection):
its statements, deferred SQL and, on SQLite, the foreign-key PRAGMAs around them are one
unit of work on one session."""

from tools.codemod.overrides import override


@override("BaseDatabaseSchemaEditor.__enter__", upstream="8e7838b285a9")
async def __enter__(self):
    self.connection.hold_connection()
    try:
        # Connect first: building DDL reads server facts (MySQL's sql_mode, PostgreSQL's version).
        await self.connection.ensure_connection()
        self.deferred_sql = []
        if self.atomic_migration:
            self.atomic = atomic(self.connection.alias)
            await self.atomic.__aenter__()
    except BaseException:
        self.connection.drop_connection_hold()
        raise
    return self


@override("BaseDatabaseSchemaEditor.__exit__", upstream="e02e6aced66b")
async def __exit__(self, exc_type, exc_value, traceback):
    try:
        if exc_type is None:
            for sql in self.deferred_sql:
                await self.execute(sql, None)
        if self.atomic_migration:
            await self.atomic.__aexit__(exc_type, exc_value, traceback)
    finally:
        self.connection.drop_connection_hold()


@override("BaseDatabaseSchemaEditor._create_on_delete_sql", new=True)
def _create_on_delete_sql(self, model, field):
    # The slot tools/codemod/rules/database_on_delete.py adds to the foreign-key templates:
    # " ON DELETE ..." for a handler the database carries out (teapot/adapter/database_on_delete.py),
    # "" for every handler Django 5.2 has.
    on_delete_sql = getattr(field.remote_field.on_delete, "on_delete_sql", None)
    return "" if on_delete_sql is None else on_delete_sql(self)
