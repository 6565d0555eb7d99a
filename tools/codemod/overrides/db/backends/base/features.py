"""Overrides of django.db.backends.base.features."""

from tools.codemod.overrides import override


@override("BaseDatabaseFeatures.supports_transactions", upstream="1efc22996d31")
@cached_property
def supports_transactions(self):
    """Read at connect time by the backend (upstream probes with a CREATE TABLE)."""
    return self.connection.server_facts.get("supports_transactions", True)
