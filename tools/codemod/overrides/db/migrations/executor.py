"""Overrides of django.db.migrations.executor: an executor is awaited before use.

``executor = await MigrationExecutor(connection)`` builds its loader's graph from the files
and the applied migrations (see the loader's overrides); the rest is generated.
"""

from tools.codemod.overrides import override


@override("MigrationExecutor.__init__", upstream="4d6ad37c4d95")
def __init__(self, connection, progress_callback=None):
    self.connection = connection
    # Its graph is built when the executor is awaited (_ready).
    self.loader = MigrationLoader(self.connection)
    self.recorder = MigrationRecorder(self.connection)
    self.progress_callback = progress_callback


@override("MigrationExecutor.__await__", new=True)
def __await__(self):
    return self._ready().__await__()


@override("MigrationExecutor._ready", new=True)
async def _ready(self):
    await self.loader
    return self
