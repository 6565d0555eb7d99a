"""teapot's migration commands leave the apps adapted from a Django project to Django's
migrations: none of their migrations is loaded, applied or recorded by teapot."""

import pytest

import teapot
from teapot.core.management.base import CommandError


async def test_the_loader_sees_adapted_apps_as_apps_without_migrations(adaptation):
    from teapot.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    # catalog has a Django migration on disk (0001_initial): teapot does not read it.
    assert "catalog" in loader.unmigrated_apps
    assert not [key for key in loader.graph.nodes if key[0] in ("accounts", "catalog", "orders", "social")]


async def test_migrate_applies_and_records_nothing_of_an_adapted_app(adaptation):
    from teapot.db import connection
    from teapot.db.migrations.recorder import MigrationRecorder

    output = await teapot.migrate(verbosity=1)
    assert "No migrations to apply." in output
    recorded = await MigrationRecorder(connection).applied_migrations()
    assert not [key for key in recorded if key[0] == "catalog"]


@pytest.mark.parametrize(
    ("command", "args"),
    [("migrate", ["catalog"]), ("makemigrations", ["accounts", "catalog"]), ("sqlmigrate", ["catalog", "0001"])],
)
async def test_naming_an_adapted_app_is_refused_with_the_reason(adaptation, command, args):
    from teapot.commands import call

    with pytest.raises(CommandError, match="adapted from a Django project: Django owns its migrations"):
        await call(command, *args)
