"""Overrides of django.db.backends.sqlite3.features."""

from tools.codemod.overrides import override


@override("DatabaseFeatures.supports_json_field", upstream="5516816c889d")
@cached_property
def supports_json_field(self):
    """Read at connect time by the backend (upstream probes with a query)."""
    return self.connection.server_facts.get("supports_json_field", True)
