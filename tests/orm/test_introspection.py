"""Reading the schema back: tables, columns and constraints, as the migration commands and
inspecting tools do."""

import pytest

from teapot.db import connection
from tests.orm.testapp.models import Author

pytestmark = pytest.mark.usefixtures("tables")


async def test_a_table_is_described_column_by_column():
    # On SQLite the description reads each column's collation from the table's SQL, a fetch
    # from the cursor that execute() returns.
    async with connection.cursor() as cursor:
        assert Author._meta.db_table in await connection.introspection.table_names(cursor)
        description = await connection.introspection.get_table_description(cursor, Author._meta.db_table)
    assert [column.name for column in description] == ["id", "name", "age"]


async def test_constraints_include_the_primary_key_and_the_unique_column():
    async with connection.cursor() as cursor:
        constraints = await connection.introspection.get_constraints(cursor, Author._meta.db_table)
    assert any(c["primary_key"] and c["columns"] == ["id"] for c in constraints.values())
    assert any(c["unique"] and c["columns"] == ["name"] for c in constraints.values())
