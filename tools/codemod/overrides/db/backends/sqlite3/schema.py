"""Overrides of django.db.backends.sqlite3.schema: the foreign-key PRAGMAs that bracket a
schema edition are session state, so the editor's lease starts before the first and ends
after the last (hold_connection)."""

from tools.codemod.overrides import override


@override("DatabaseSchemaEditor.__enter__", upstream="bf0a5ee33375")
async def __enter__(self):
    self.connection.hold_connection()
    try:
        # Some alterations rebuild tables: foreign key checks are off for the whole edition.
        if not await self.connection.disable_constraint_checking():
            raise NotSupportedError(
                "SQLite schema editor cannot be used while foreign key "
                "constraint checks are enabled. Make sure to disable them "
                "before entering a transaction.atomic() context because "
                "SQLite does not support disabling them in the middle of "
                "a multi-statement transaction."
            )
        return await super().__aenter__()
    except BaseException:
        self.connection.drop_connection_hold()
        raise


@override("DatabaseSchemaEditor.__exit__", upstream="28ef48a0bbc5")
async def __exit__(self, exc_type, exc_value, traceback):
    try:
        await self.connection.check_constraints()
        await super().__aexit__(exc_type, exc_value, traceback)
        await self.connection.enable_constraint_checking()
    finally:
        self.connection.drop_connection_hold()
