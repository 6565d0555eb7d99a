"""teapot.backends.one_statement.run(): one statement and the reading of its result, as through
``connection.cursor()``: the same rows, the same errors, the lease ended after it (kept inside
a transaction), the query log and execute wrappers honoured."""

import pytest

from teapot.backends import one_statement
from teapot.db import IntegrityError, connection, transaction
from teapot.db.transaction import TransactionManagementError
from teapot.testing.utils import CaptureQueriesContext
from tests.database.testapp.models import Author

pytestmark = pytest.mark.usefixtures("tables")


def _insert_sql():
    ops = connection.ops
    return "INSERT INTO %s (%s, %s, %s) VALUES (%%s, %%s, %%s)" % (
        ops.quote_name(Author._meta.db_table),
        ops.quote_name("id"),
        ops.quote_name("name"),
        ops.quote_name("age"),
    )


def _select_sql():
    ops = connection.ops
    return "SELECT %s FROM %s WHERE %s = %%s" % (
        ops.quote_name("name"),
        ops.quote_name(Author._meta.db_table),
        ops.quote_name("id"),
    )


async def test_rows_are_read_and_the_lease_ends_with_the_statement():
    ann = await Author.objects.create(name="Ann")
    rows = await one_statement.run(connection, _select_sql(), [ann.pk], one_statement.fetch_all)
    assert [tuple(row) for row in rows] == [("Ann",)]
    assert connection.connection is None  # back in the pool: nothing else needed it


async def test_inside_a_transaction_the_connection_stays_and_sees_the_transactions_rows():
    async with transaction.atomic():
        ann = await Author.objects.create(name="Ann")
        held = connection.connection
        row = await one_statement.run(connection, _select_sql(), [ann.pk], one_statement.fetch_one)
        assert tuple(row) == ("Ann",)
        assert connection.connection is held


async def test_an_error_is_the_backends_mapped_error_and_the_lease_still_ends():
    ann = await Author.objects.create(name="Ann")
    with pytest.raises(IntegrityError):
        await one_statement.run(connection, _insert_sql(), [ann.pk, "Bob", 1], one_statement.row_count)
    assert connection.connection is None
    assert await Author.objects.filter(name="Bob").count() == 0


async def test_an_error_inside_a_transaction_leaves_it_to_its_block():
    ann = await Author.objects.create(name="Ann")
    async with transaction.atomic():
        with pytest.raises(IntegrityError):
            async with transaction.atomic():
                await one_statement.run(connection, _insert_sql(), [ann.pk, "Bob", 1], one_statement.row_count)
        # The savepoint was rolled back: the outer transaction goes on.
        assert await Author.objects.filter(name="Ann").count() == 1


async def test_a_broken_transaction_refuses_the_statement():
    async with transaction.atomic():
        await Author.objects.create(name="Ann")
        transaction.set_rollback(True)
        with pytest.raises(TransactionManagementError):
            await one_statement.run(connection, _select_sql(), [1], one_statement.fetch_all)


async def test_the_query_log_records_the_statement():
    ann = await Author.objects.create(name="Ann")
    async with CaptureQueriesContext(connection) as captured:
        await one_statement.run(connection, _select_sql(), [ann.pk], one_statement.fetch_all)
    assert len(captured.captured_queries) == 1
    assert Author._meta.db_table in captured.captured_queries[0]["sql"]


async def test_execute_wrappers_see_the_statement():
    seen = []

    def wrapper(execute, sql, params, many, context):
        seen.append((sql, list(params), many))
        return execute(sql, params, many, context)

    ann = await Author.objects.create(name="Ann")
    with connection.execute_wrapper(wrapper):
        rows = await one_statement.run(connection, _select_sql(), [ann.pk], one_statement.fetch_all)
    assert [tuple(row) for row in rows] == [("Ann",)]
    assert seen == [(_select_sql(), [ann.pk], False)]


async def test_the_row_count_of_a_write():
    await Author.objects.create(name="Ann")
    await Author.objects.create(name="Bob")
    await Author.objects.create(name="Cy", age=3)
    ops = connection.ops
    sql = "UPDATE %s SET %s = %%s WHERE %s = %%s" % (
        ops.quote_name(Author._meta.db_table),
        ops.quote_name("age"),
        ops.quote_name("age"),
    )
    assert await one_statement.run(connection, sql, [5, 0], one_statement.row_count) == 2
