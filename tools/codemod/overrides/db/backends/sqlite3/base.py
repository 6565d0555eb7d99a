"""Overrides of django.db.backends.sqlite3.base."""

from tools.codemod.overrides import override


@override("DatabaseWrapper._start_transaction_under_autocommit", upstream="facb5a1a041a")
async def _start_transaction_under_autocommit(self):
    """BEGIN while the driver stays in autocommit mode (savepoints break otherwise)."""
    # Upstream leaves this cursor open; an open cursor holds the connection's lease.
    begin = "BEGIN" if self.transaction_mode is None else f"BEGIN {self.transaction_mode}"
    async with self.cursor() as cursor:
        await cursor.execute(begin)
