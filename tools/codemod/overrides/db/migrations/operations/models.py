"""Overrides of django.db.migrations.operations.models.

AlterUniqueTogether and AlterIndexTogether pick the schema editor's method by name
(``getattr(schema_editor, "alter_unique_together")``), which the call graph cannot follow:
the method is a coroutine and is awaited here.
"""

from tools.codemod.overrides import override


@override("AlterTogetherOptionOperation.database_forwards", upstream="dcbf78bb7d3c")
async def database_forwards(self, app_label, schema_editor, from_state, to_state):
    new_model = to_state.apps.get_model(app_label, self.name)
    if self.allow_migrate_model(schema_editor.connection.alias, new_model):
        old_options = from_state.models[app_label, self.name_lower].options
        new_options = to_state.models[app_label, self.name_lower].options
        alter_together = getattr(schema_editor, "alter_%s" % self.option_name)
        await alter_together(
            new_model,
            old_options.get(self.option_name) or set(),
            new_options.get(self.option_name) or set(),
        )
