"""teapot.db's request_started/request_finished receivers: reset_queries() clears the query
logs of the task's connections, close_old_connections() closes the unusable ones."""

import pytest

from teapot.db import close_old_connections, connection, reset_queries
from tests.database.testapp.models import Author

pytestmark = pytest.mark.usefixtures("tables")


async def test_reset_queries_clears_the_query_log():
    await Author.objects.count()
    connection.queries_log.append({"sql": "SELECT 1", "time": "0.000"})
    assert reset_queries() is None  # a plain function, as upstream's
    assert len(connection.queries_log) == 0


async def test_close_old_connections_keeps_a_usable_connection():
    await Author.objects.count()
    await close_old_connections()
    assert await Author.objects.count() == 0
