"""Introspection of the test tables with a cursor, as the migration engine and its tests read
them: column descriptions (SQLite reads the table's collations from its CREATE statement) and
constraints."""

import pytest

from teapot.db import connection
from tests.database.testapp.models import Author, Book

pytestmark = pytest.mark.usefixtures("tables")


async def test_table_description_lists_the_columns():
    async with connection.cursor() as cursor:
        description = await connection.introspection.get_table_description(cursor, Author._meta.db_table)
    names = [column.name for column in description]
    assert names == [field.column for field in Author._meta.local_concrete_fields]


async def test_constraints_name_the_primary_key_and_the_foreign_key():
    async with connection.cursor() as cursor:
        constraints = await connection.introspection.get_constraints(cursor, Book._meta.db_table)
    primary = [c for c in constraints.values() if c["primary_key"]]
    assert [c["columns"] for c in primary] == [["id"]]
    foreign = [c for c in constraints.values() if c["foreign_key"]]
    assert any(c["columns"] == ["author_id"] and c["foreign_key"][0] == Author._meta.db_table for c in foreign)
