"""Overrides of django.db.migrations.loader: a loader with a connection is awaited.

Building the graph reads the applied migrations from the database, and ``__init__`` cannot
be awaited. ``MigrationLoader(None)`` (the autodetector's commands) reads the files alone
and is ready at once, as in Django; ``await MigrationLoader(connection)`` builds the graph
with what the database says is applied. ``await loader.build_graph()`` rebuilds it.
"""

from teapot.errors import AwaitRequired
from teapot.no_io import run_without_io

from tools.codemod.overrides import override


@override("MigrationLoader.__init__", upstream="bd63f373534f")
def __init__(self, connection, load=True, ignore_no_migrations=False, replace_migrations=True):
    self.connection = connection
    self.disk_migrations = None
    self.applied_migrations = None
    self.ignore_no_migrations = ignore_no_migrations
    self.replace_migrations = replace_migrations
    self._graph_pending = load
    if load and connection is None:
        run_without_io(self._ready())


@override("MigrationLoader.__await__", new=True)
def __await__(self):
    return self._ready().__await__()


@override("MigrationLoader._ready", new=True)
async def _ready(self):
    if self._graph_pending:
        self._graph_pending = False
        await self.build_graph()
    return self


@override("MigrationLoader.__getattr__", new=True)
def __getattr__(self, name):
    # Only reached for attributes build_graph() sets and nothing has set yet.
    if name in ("graph", "replacements", "unmigrated_apps", "migrated_apps"):
        raise AwaitRequired(
            f"MigrationLoader.{name} is known once the graph is built: "
            "`loader = await MigrationLoader(connection)` (or `await loader.build_graph()`)."
        )
    raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


@override("MigrationLoader.migrations_module", upstream="64094139adeb")
@classmethod
def migrations_module(cls, app_label):
    if app_label in settings.MIGRATION_MODULES:
        return settings.MIGRATION_MODULES[app_label], True
    config = apps.get_app_config(app_label)
    if getattr(config, "adapted_from_django", False):
        # Django's migrate owns an adapted app's schema: to teapot it has no migrations.
        return None, False
    return f"{config.name}.{MIGRATIONS_MODULE_NAME}", False
