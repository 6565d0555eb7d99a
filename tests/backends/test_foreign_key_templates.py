"""The schema editors' foreign-key templates carry Django 6.1's ON DELETE slot, and still
format with Django 5.2's keys only, as Django's own schema tests format them."""

from teapot.db import connection
from teapot.foreign_key_templates import ForeignKeyTemplate


def _keys():
    return {
        "table": '"t"',
        "name": '"fk"',
        "column": '"c"',
        "to_table": '"u"',
        "to_column": '"id"',
        "deferrable": "",
    }


async def test_a_template_formatted_with_django_52s_keys_has_an_empty_slot():
    async with connection.schema_editor(collect_sql=True) as editor:
        template = editor.sql_create_fk or editor.sql_create_inline_fk
    assert isinstance(template, ForeignKeyTemplate)
    sql = template % _keys()
    assert "%(" not in sql and "ON DELETE" not in sql
    assert 'REFERENCES "u" ("id")' in sql or 'REFERENCES "u"("id")' in sql


async def test_the_slot_takes_the_on_delete_clause():
    async with connection.schema_editor(collect_sql=True) as editor:
        template = editor.sql_create_fk or editor.sql_create_inline_fk
    sql = template % {**_keys(), "on_delete_db": " ON DELETE CASCADE"}
    assert '("id") ON DELETE CASCADE' in sql


def test_a_template_is_a_str_that_formats_tuples_as_str_does():
    assert ForeignKeyTemplate("%s-%s") % ("a", "b") == "a-b"
    assert ForeignKeyTemplate("x%(on_delete_db)sy") % {} == "xy"
