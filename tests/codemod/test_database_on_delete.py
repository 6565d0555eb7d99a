"""database_on_delete: the schema editors' foreign-key templates get Django 6.1's ON DELETE
slot, and every place that formats them fills it."""

from tests.codemod.harness import dd, prepare

from tools.codemod.rules.database_on_delete import DatabaseOnDelete

SCHEMA = "django.db.backends.sample.schema"

EDITOR = dd('''
    class Editor:
        sql_create_fk = (
            "ALTER TABLE %(table)s ADD CONSTRAINT %(name)s FOREIGN KEY (%(column)s) "
            "REFERENCES %(to_table)s (%(to_column)s)%(deferrable)s"
        )
        sql_create_inline_fk = "REFERENCES %(to_table)s (%(to_column)s) DEFERRABLE"
        sql_create_index = "CREATE INDEX %(name)s ON %(table)s (%(to_column)s)"

        def table_sql(self, model, field):
            return self.sql_create_inline_fk % {
                "to_table": self.quote_name(to_table),
                "to_column": self.quote_name(to_column),
            }

        def _create_fk_sql(self, model, field, suffix):
            return Statement(self.sql_create_fk, to_table=to_table, to_column=to_column)

        def other(self, model, field):
            return {"to_table": 1}
    ''')


def run(source, module=SCHEMA):
    run_ = prepare({module: source}, graph=False)
    rule = DatabaseOnDelete(run_.ctx)
    return run_.apply(rule, module), rule


def test_templates_get_the_slot_and_formatting_fills_it():
    code, rule = run(EDITOR)
    assert code == dd('''
        from teapot.foreign_key_templates import ForeignKeyTemplate
        class Editor:
            sql_create_fk = (
                ForeignKeyTemplate("ALTER TABLE %(table)s ADD CONSTRAINT %(name)s FOREIGN KEY (%(column)s) "
                "REFERENCES %(to_table)s (%(to_column)s)%(on_delete_db)s%(deferrable)s")
            )
            sql_create_inline_fk = ForeignKeyTemplate("REFERENCES %(to_table)s (%(to_column)s)%(on_delete_db)s DEFERRABLE")
            sql_create_index = "CREATE INDEX %(name)s ON %(table)s (%(to_column)s)"

            def table_sql(self, model, field):
                return self.sql_create_inline_fk % {
                    "to_table": self.quote_name(to_table),
                    "to_column": self.quote_name(to_column),
                    "on_delete_db": self._create_on_delete_sql(model, field),
                }

            def _create_fk_sql(self, model, field, suffix):
                return Statement(self.sql_create_fk, to_table=to_table, to_column=to_column, on_delete_db=self._create_on_delete_sql(model, field))

            def other(self, model, field):
                return {"to_table": 1}
        ''')
    assert rule.unused() == []


def test_running_twice_adds_nothing_more():
    once, _ = run(EDITOR)
    twice, rule = run(once)
    assert twice == once
    assert rule.unused() != []  # nothing matched the second time, and that is reported


def test_modules_other_than_the_schema_editors_are_left_alone():
    code, rule = run(EDITOR, module="django.db.backends.ddl_references")
    assert code == EDITOR
    assert rule.unused() == [
        "database_on_delete: no foreign-key template took the slot",
        "database_on_delete: no place formats the foreign-key templates",
    ]
