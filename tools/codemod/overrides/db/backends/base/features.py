"""Overrides of django.db.backends.base.features."""

from tools.codemod.overrides import override


@override("BaseDatabaseFeatures.supports_transactions", upstream="1efc22996d31")
@cached_property
def supports_transactions(self):
    """Read at connect time by the backend (upstream probes with a CREATE TABLE)."""
    return self.connection.server_facts.get("supports_transactions", True)


@override("BaseDatabaseFeatures.reads_new_id_without_returning", new=True)
@property
def reads_new_id_without_returning(self):
    """Whether a one-row INSERT whose only returned value is its auto-incremented primary key
    takes that key from the driver (the cursor's ``lastrowid``) instead of asking for it with
    RETURNING, even where the database can return columns. Backends that set it: asyncmy on
    MariaDB, where reading a result costs more than the id in the INSERT's reply."""
    return False
