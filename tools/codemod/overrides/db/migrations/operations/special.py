"""Overrides of django.db.migrations.operations.special: RunPython awaits async code.

A migration's function may be ``async def`` (it queries through ``apps.get_model(...)``
with awaits) or a plain function that does no I/O (it may still use the schema editor's
awaitables by returning one). Whatever it returns that can be awaited is awaited.
"""

import inspect

from tools.codemod.overrides import override


@override("RunPython.database_forwards", upstream="e2306b2bc2de")
async def database_forwards(self, app_label, schema_editor, from_state, to_state):
    # Models created later in the plan may be needed by the code: reload them first.
    from_state.clear_delayed_apps_cache()
    if router.allow_migrate(schema_editor.connection.alias, app_label, **self.hints):
        await _run_migration_code(self.code, from_state.apps, schema_editor)


@override("RunPython.database_backwards", upstream="0af6e8721467")
async def database_backwards(self, app_label, schema_editor, from_state, to_state):
    if self.reverse_code is None:
        raise NotImplementedError("You cannot reverse this operation")
    if router.allow_migrate(schema_editor.connection.alias, app_label, **self.hints):
        await _run_migration_code(self.reverse_code, from_state.apps, schema_editor)


@override("_run_migration_code", new=True)
async def _run_migration_code(code, apps, schema_editor):
    outcome = code(apps, schema_editor)
    if inspect.isawaitable(outcome):
        await outcome
