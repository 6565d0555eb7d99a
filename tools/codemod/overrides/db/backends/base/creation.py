"""Overrides of django.db.backends.base.creation: a database's rows are serialized from
loaded querysets (many-to-many values prefetched) and read back by the async deserializer."""

from tools.codemod.overrides import override


@override("BaseDatabaseCreation.serialize_db_to_string", upstream="75d81225c427")
async def serialize_db_to_string(self):
    """Every row of the migrated apps' models on this database as JSON text (for the test
    runner: all rows are held in memory)."""
    from teapot.core import serializers
    from teapot.db.migrations.loader import MigrationLoader

    alias = self.connection.alias
    # Which apps have migrations is read from disk; the applied ones are not needed here.
    loader = MigrationLoader(self.connection, load=False)
    loader.load_disk()
    migrated = loader.migrated_apps
    rows = []
    for config in apps.get_app_configs():
        if config.models_module is None or config.label not in migrated:
            continue
        if config.name in settings.TEST_NON_SERIALIZED_APPS:
            continue
        for model in config.get_models():
            if not (model._meta.can_migrate(self.connection) and router.allow_migrate_model(alias, model)):
                continue
            queryset = model._base_manager.using(alias).order_by(model._meta.pk.name)
            # The serializer reads many-to-many values from the prefetch cache: the ones it
            # writes are those through an auto-created table.
            many = [
                field.name
                for field in model._meta.local_many_to_many
                if field.serialize and field.remote_field.through._meta.auto_created
            ]
            if many:
                queryset = queryset.prefetch_related(*many)
            rows.extend(await queryset)
    out = StringIO()
    serializers.serialize("json", rows, indent=None, stream=out)
    return out.getvalue()


@override("BaseDatabaseCreation.deserialize_db_from_string", upstream="3dddde39d925")
async def deserialize_db_from_string(self, data):
    """Save the rows of a text from serialize_db_to_string() back into this database."""
    from teapot.core import serializers

    alias = self.connection.alias
    tables = set()
    # One transaction with the constraint checks off: rows may refer to rows saved after them
    # (forward references, cycles); the keys are checked once all are in.
    async with atomic(using=alias):
        async with self.connection.constraint_checks_disabled():
            async for deserialized in serializers.deserialize("json", StringIO(data), using=alias):
                await deserialized.save()
                tables.add(deserialized.object._meta.db_table)
        await self.connection.check_constraints(table_names=tables)
