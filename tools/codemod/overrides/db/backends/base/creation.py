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


@override("BaseDatabaseCreation.create_test_db", upstream="f0b722e8ba7f")
async def create_test_db(self, verbosity=1, autoclobber=False, serialize=True, keepdb=False):
    """Create the test database (asking first if it exists, unless ``autoclobber``), point the
    connection at it, migrate it and return its name."""
    from teapot.core.management import call_command, get_commands

    test_database_name = self._get_test_db_name()
    if verbosity >= 1:
        self.log(
            "%s test database for alias %s..."
            % (
                "Using existing" if keepdb else "Creating",
                self._get_database_display_str(verbosity, test_database_name),
            )
        )
    # With keepdb the database may still be missing: _create_test_db() makes it then.
    await self._create_test_db(verbosity, autoclobber, keepdb)

    await self.connection.close()
    settings.DATABASES[self.connection.alias]["NAME"] = test_database_name
    self.connection.settings_dict["NAME"] = test_database_name

    no_migrations = self.connection.settings_dict["TEST"]["MIGRATE"] is False
    if no_migrations:
        # TEST["MIGRATE"] = False: every app is created from its models, as if unmigrated.
        saved_modules = settings.MIGRATION_MODULES
        settings.MIGRATION_MODULES = {config.label: None for config in apps.get_app_configs()}
    try:
        # call_command() returns the command's coroutine: it runs when awaited. The output is
        # one verbosity level quieter than asked.
        await call_command(
            "migrate",
            verbosity=max(verbosity - 1, 0),
            interactive=False,
            database=self.connection.alias,
            run_syncdb=True,
        )
    finally:
        if no_migrations:
            settings.MIGRATION_MODULES = saved_modules

    # Kept for TransactionTestCase.serialized_rollback, on databases without transactions.
    if serialize:
        self.connection._test_serialized_contents = await self.serialize_db_to_string()

    # teapot has no cache framework, so no database cache table to create: Django's
    # createcachetable finds none in that case and does nothing.
    if "createcachetable" in get_commands():
        await call_command("createcachetable", database=self.connection.alias)

    # Connecting now sets the test database up (SQLite in memory is created on connection).
    await self.connection.ensure_connection()

    if os.environ.get("RUNNING_DJANGOS_TEST_SUITE") == "true":
        self.mark_expected_failures_and_skips()

    return test_database_name
