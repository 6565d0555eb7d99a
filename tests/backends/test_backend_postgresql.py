"""The asyncpg backend: parameters the server types, client-side literals, row counts,
errors, JSON, time zones, the statement cache and cancellation, on a real PostgreSQL."""

import asyncio
import datetime
import decimal
import uuid

import asyncpg
import pytest

import teapot

from teapot.core.exceptions import ImproperlyConfigured
from teapot.db import DataError, IntegrityError, ProgrammingError, connection, transaction
from teapot.db.models import F, Value
from teapot.db.models.functions import Cast
from teapot.db.models import CharField, IntegerField
from tests.database.testapp.models import Author, Book, Event, Measure

pytestmark = pytest.mark.usefixtures("tables")

INJECTION_PAYLOADS = [
    "'; DROP TABLE testapp_author; --",
    "\\'; DROP TABLE testapp_author; --",
    "\\\\'; SELECT 1; --",
    "$$; DROP TABLE testapp_author; $$",
    "' OR '1'='1",
    "%s %% %(x)s $1",
    "line\nbreak\ttab \\n not a newline",
    "emoji 🫖 and quotes \" ' `",
]


@pytest.mark.parametrize("payload", INJECTION_PAYLOADS)
async def test_literals_round_trip_injection_payloads(payload):
    # compose_sql builds the literal on the client; the server must read back exactly the input.
    sql = connection.ops.compose_sql("SELECT %s", [payload])
    async with connection.cursor() as cur:
        await cur.execute(sql)
        assert await cur.fetchone() == (payload,)
        await cur.execute("SELECT count(*) FROM testapp_author")
        assert await cur.fetchone() == (0,)  # the table is still there


async def test_server_facts_are_read_while_connecting():
    await connection.ensure_connection()
    async with connection.cursor() as cur:
        await cur.execute("SHOW server_version_num")
        (version,) = await cur.fetchone()
    assert connection.pg_version == int(version)
    assert connection.features.is_postgresql_15 is (int(version) >= 150000)


async def test_parameters_are_adapted_to_the_inferred_types():
    async with connection.cursor() as cur:
        # '5' for an integer, 7 for text, an int for numeric: psycopg's literals accepted them.
        await cur.execute("SELECT %s::int + 1, %s || 'x', %s::numeric / 4, %s::date", ["5", 7, 3, "2024-02-29"])
        assert await cur.fetchone() == (6, "7x", decimal.Decimal("0.75"), datetime.date(2024, 2, 29))


async def test_rowcount_comes_from_the_command_status():
    await Author.objects.abulk_create([Author(name=n) for n in "abc"])
    assert await Author.objects.filter(name__in=["a", "b"]).update(age=3) == 2
    async with connection.cursor() as cur:
        await cur.execute("DELETE FROM testapp_author WHERE age = %s", [3])
        assert cur.rowcount == 2
        await cur.execute("SELECT name FROM testapp_author")
        assert cur.rowcount == 1


async def test_inserts_return_their_primary_keys():
    authors = await Author.objects.abulk_create([Author(name="a"), Author(name="b")])
    assert all(a.pk for a in authors)
    assert sorted(await Author.objects.values_list("pk", flat=True)) == sorted(a.pk for a in authors)


async def test_more_parameters_than_the_protocol_allows():
    # 40,000 > 32,767: the statement is bound on the client with safe literals instead.
    authors = await Author.objects.abulk_create([Author(name=f"a{i}") for i in range(40_000)])
    assert len(authors) == 40_000
    pks = [a.pk for a in authors]
    assert await Author.objects.filter(pk__in=pks).count() == 40_000
    names = [f"a{i}" for i in range(0, 40_000, 2)] + ["O'Brien\\"] * 20_000
    assert await Author.objects.filter(name__in=names).count() == 20_000


async def test_errors_are_djangos():
    await Author.objects.acreate(name="Ann")
    with pytest.raises(IntegrityError):
        async with transaction.atomic():
            await Author.objects.acreate(name="Ann")
    with pytest.raises(DataError):
        async with transaction.atomic():
            await Author.objects.acreate(name="x" * 101)
    with pytest.raises(ProgrammingError):
        async with connection.cursor() as cur:
            await cur.execute("SELECT * FROM no_such_table")
    assert await Author.objects.count() == 1


async def test_bad_values_are_data_errors_and_write_nothing():
    exception, message = connection.features.prohibits_null_characters_in_text_exception
    with pytest.raises(exception, match=r"cannot contain NUL \(0x00\) bytes"):
        await Author.objects.acreate(name="a\x00b")
    async with connection.cursor() as cur:
        with pytest.raises(DataError, match=r"query argument \$1: 'abc'"):
            await cur.execute("INSERT INTO testapp_author (name, age) VALUES ('x', %s)", ["abc"])
    assert await Author.objects.count() == 0


async def test_json_values_and_key_lookups():
    ann = await Author.objects.acreate(name="Ann")
    data = {"genre": "sf", "n": 2, "tags": ["désert", None], "nested": {"ok": True}}
    await Book.objects.acreate(title="Dune", author=ann, data=data)
    await Book.objects.acreate(title="Emma", author=ann, data="just a string")
    assert (await Book.objects.aget(title="Dune")).data == data
    assert (await Book.objects.aget(title="Emma")).data == "just a string"
    assert await Book.objects.filter(data__genre="sf").values_list("title", flat=True) == ["Dune"]
    assert await Book.objects.filter(data__tags__0="désert").count() == 1
    assert await Book.objects.filter(data__nested__ok=True).count() == 1
    assert await Book.objects.filter(data__has_key="n").count() == 1
    assert await Book.objects.filter(data__contains={"n": 2}).count() == 1


async def test_aware_datetimes_are_stored_as_instants():
    paris = datetime.timezone(datetime.timedelta(hours=2))
    at = datetime.datetime(2024, 6, 1, 12, 30, 15, 123456, tzinfo=paris)
    await Event.objects.acreate(name="e", day=at.date(), at=at)
    event = await Event.objects.aget()
    assert event.at == at and event.at.utcoffset() == datetime.timedelta(0)
    assert await Event.objects.filter(at__hour=10).count() == 1  # 12:30+02:00 is 10:30 UTC


async def test_decimals_keep_their_digits():
    value = decimal.Decimal("1234567.891")
    await Measure.objects.acreate(value=value)
    assert (await Measure.objects.aget()).value == value
    assert await Measure.objects.filter(value__gt=decimal.Decimal("1234567.890")).count() == 1


async def test_expressions_with_parameters_in_select():
    await Author.objects.acreate(name="Ann", age=4)
    row = await Author.objects.annotate(
        twice=F("age") * 2, label=Value("x%s'y"), as_text=Cast("age", CharField()), n=Value(7, IntegerField())
    ).values_list("twice", "label", "as_text", "n").aget()
    assert row == (8, "x%s'y", "4", 7)


async def test_parameters_nothing_types_are_typed_as_psycopg_types_them():
    # XOR falls back to a sum of CASE WHEN ... THEN 1 ELSE 0 END; a value selected under a
    # UNION has no column around it: untyped, the server took both for text.
    from teapot.db.models import Q

    await Author.objects.abulk_create([Author(name="a", age=1), Author(name="b", age=2), Author(name="c", age=3)])
    names = [a.name async for a in Author.objects.filter(Q(age__gte=2) ^ Q(age__lte=2)).order_by("name")]
    assert names == ["a", "c"]
    first = Author.objects.filter(name="a").annotate(n=Value(1), d=Value(datetime.date(2024, 1, 2))).values_list("name", "n", "d")
    second = Author.objects.filter(name="b").annotate(n=Value(2), d=Value(datetime.date(2024, 1, 3))).values_list("name", "n", "d")
    rows = sorted([r async for r in first.union(second)])
    assert rows == [("a", 1, datetime.date(2024, 1, 2)), ("b", 2, datetime.date(2024, 1, 3))]
    async with connection.cursor() as cur:
        await cur.execute(
            "SELECT %s, %s, %s, %s, %s, %s",
            [2**40, 1.5, decimal.Decimal("2.50"), True, datetime.timedelta(days=1, seconds=3), "text stays text"],
        )
        assert await cur.fetchone() == (
            2**40, 1.5, decimal.Decimal("2.50"), True, datetime.timedelta(days=1, seconds=3), "text stays text"
        )


async def test_an_expression_with_parameters_selected_and_grouped_by():
    # A grouped annotation with a parameter, used again by an annotation over the aggregate:
    # the server must see one parameter in the SELECT and the GROUP BY.
    from teapot.db.models import Min
    from teapot.db.models.functions import Greatest, Least

    await Author.objects.abulk_create([Author(name="a", age=1), Author(name="b", age=7), Author(name="c", age=9)])
    qs = (
        Author.objects.annotate(top=Greatest("age", Value(5)))
        .values("top")
        .annotate(youngest=Min("age"), low=Least("youngest", "top"))
        .values_list("low", flat=True)
    )
    assert sorted([v async for v in qs]) == [1, 7, 9]


async def test_json_values_in_a_case_are_jsonb():
    from teapot.db.models import Case, JSONField, When

    author = await Author.objects.acreate(name="a")
    await Book.objects.acreate(title="t", author=author, data={"k": None})
    updated = await Book.objects.update(
        data=Case(When(data__k=Value(None, JSONField()), then=Value({"k": 1}, JSONField())))
    )
    assert updated == 1
    assert await Book.objects.values_list("data", flat=True).aget() == {"k": 1}


async def test_captured_queries_show_parameters_as_literals():
    # As psycopg's client-side cursor sent them (Django's last_executed_query): literals,
    # not $n placeholders.
    from teapot.testing.utils import CaptureQueriesContext

    async with CaptureQueriesContext(connection) as ctx:
        await Author.objects.filter(id__in=[None, 7], name="o'k").aexists()
        async with connection.cursor() as cur:
            await cur.execute("SELECT %s, %s", [2.5, datetime.datetime(2024, 1, 2, 3, 4)])
    first, second = (q["sql"] for q in ctx.captured_queries)
    assert "IN (7)" in first and "= 'o''k'" in first and "$" not in first
    assert second == "SELECT 2.5, '2024-01-02 03:04:00'::timestamp"


async def test_captured_json_parameters_are_written_as_psycopg_writes_them():
    from teapot.testing.utils import CaptureQueriesContext

    async with CaptureQueriesContext(connection) as ctx:
        await Book.objects.filter(data__k="it's").aexists()
        await Book.objects.filter(data__k="back\\slash").aexists()
    plain, escaped = (q["sql"] for q in ctx.captured_queries)
    assert """-> 'k') = '"it''s"'::jsonb""" in plain
    assert """-> 'k') =  E'\"back""" in escaped and """slash\"'::jsonb""" in escaped  # psycopg's space


async def test_a_cancelled_statement_never_leaves_its_connection_behind():
    used = []

    async def slow():
        async with connection.cursor() as cur:
            used.append(connection.connection)
            await cur.execute("SELECT pg_sleep(5)")

    task = asyncio.create_task(slow())
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert used[0].raw.is_closed()
    assert connection.connection_pool.in_use == 0  # its slot is free
    assert await Author.objects.count() == 0  # a new connection
    assert connection.connection is not used[0]


async def test_uuid_and_bytes_in_raw_queries():
    value = uuid.uuid4()
    async with connection.cursor() as cur:
        await cur.execute("SELECT %s::uuid, %s::bytea, %s::interval", [str(value), b"\x00\xff", datetime.timedelta(days=-2)])
        assert await cur.fetchone() == (value, b"\x00\xff", datetime.timedelta(days=-2))


async def test_statement_cache_off_prepares_only_unnamed_statements():
    # PgBouncer's transaction mode cannot keep named prepared statements: OPTIONS turns them off.
    from teapot.backends.asyncpg.base import DatabaseWrapper

    settings = {**connection.settings_dict, "OPTIONS": {"statement_cache_size": 0}}
    uncached = DatabaseWrapper(settings, alias="uncached")
    try:
        for _ in range(2):
            async with uncached.cursor() as cur:
                await cur.execute("SELECT %s::int", [1])
                assert await cur.fetchone() == (1,)
        async with uncached.cursor() as cur:
            await cur.execute("SELECT count(*) FROM pg_prepared_statements")
            assert await cur.fetchone() == (0,)
    finally:
        await uncached.close()
    async with connection.cursor() as cur:  # the default alias caches them
        await cur.execute("SELECT %s::int", [1])
        await cur.execute("SELECT count(*) FROM pg_prepared_statements")
        assert (await cur.fetchone())[0] > 0


async def test_libpq_option_names_of_a_psycopg_project_work():
    # sslmode, connect_timeout and application_name, as a psycopg-based Django project writes
    # them (in OPTIONS or a URL's query), are asyncpg's ssl, timeout and a server setting.
    from teapot.backends.asyncpg.base import DatabaseWrapper

    options = {"sslmode": "disable", "connect_timeout": "5", "application_name": "teapot-test"}
    wrapper = DatabaseWrapper({**connection.settings_dict, "OPTIONS": options}, alias="libpq")
    params = wrapper.get_connection_params()
    assert (params["ssl"], params["timeout"]) == ("disable", 5.0) and "sslmode" not in params
    try:
        async with wrapper.cursor() as cur:
            await cur.execute("SELECT current_setting('application_name')")
            assert await cur.fetchone() == ("teapot-test",)
    finally:
        await wrapper.close()
    unsupported = DatabaseWrapper({**connection.settings_dict, "OPTIONS": {"sslrootcert": "/ca.pem"}}, alias="x")
    with pytest.raises(ImproperlyConfigured, match="sslrootcert"):
        unsupported.get_connection_params()


async def test_isolation_level_from_options():
    from teapot.backends.asyncpg.psycopg_any import IsolationLevel
    from teapot.backends.asyncpg.base import DatabaseWrapper

    settings = {**connection.settings_dict, "OPTIONS": {"isolation_level": IsolationLevel.SERIALIZABLE}}
    serializable = DatabaseWrapper(settings, alias="serializable")
    try:
        async with transaction.atomic(using="default"):
            pass
        await serializable.set_autocommit(False)
        async with serializable.cursor() as cur:
            await cur.execute("SHOW transaction_isolation")
            assert await cur.fetchone() == ("serializable",)
        await serializable.rollback()
    finally:
        await serializable.close()


async def test_cursor_factory_encoding_and_connection_hooks_from_options():
    # OPTIONS as a psycopg-based Django project may have them: cursor_factory (the plain
    # cursors' class), client_encoding (sessions are UTF8 whatever it says), isolation_level
    # (the connection's attribute, as psycopg's), pool False (Django's "no psycopg pool").
    from teapot.backends.asyncpg.base import DatabaseWrapper
    from teapot.backends.asyncpg.psycopg_any import IsolationLevel
    from teapot.db.backends.postgresql.base import Cursor

    class MyCursor(Cursor):
        pass

    options = {
        "cursor_factory": MyCursor,
        "client_encoding": "LATIN2",
        "isolation_level": IsolationLevel.REPEATABLE_READ,
        "pool": False,
    }
    wrapper = DatabaseWrapper({**connection.settings_dict, "OPTIONS": options}, alias="factory")
    try:
        async with wrapper.cursor() as cur:
            assert isinstance(cur.cursor, MyCursor)
            await cur.execute("SHOW client_encoding")
            assert await cur.fetchone() == ("UTF8",)
            raw = wrapper.connection
            assert (raw.cursor_factory, raw.encoding, raw.isolation_level) == (MyCursor, "UTF8", IsolationLevel.REPEATABLE_READ)
    finally:
        await wrapper.close()
    plain = DatabaseWrapper(connection.settings_dict, alias="plain")
    try:
        await plain.ensure_connection()
        assert plain.connection.isolation_level is None  # the server's default
    finally:
        await plain.close()


async def test_assume_role_is_set_by_the_configure_role_hook():
    # OPTIONS["assume_role"] is SET ROLE on each new connection, through upstream's
    # _configure_role(): a subclass that returns False skips it.
    from teapot.backends.asyncpg.base import DatabaseWrapper
    from teapot.db.backends.postgresql.psycopg_any import errors

    settings = {**connection.settings_dict, "OPTIONS": {"assume_role": "teapot_no_such_role"}}
    with pytest.raises(errors.InvalidParameterValue, match='role "teapot_no_such_role" does not exist'):
        await DatabaseWrapper(settings, alias="role").connect()  # the driver's error, as Django's test has it

    class NoRole(DatabaseWrapper):
        async def _configure_role(self, connection):
            return False

    wrapper = NoRole(settings, alias="no_role")
    try:
        async with wrapper.cursor() as cur:
            await cur.execute("SELECT current_user = session_user")
            assert await cur.fetchone() == (True,)
    finally:
        await wrapper.close()


USE_TZ_OFF = """
import asyncio, datetime, teapot
teapot.setup("{url}", installed_apps=["tests.database.testapp"], use_tz=False, time_zone="Europe/Paris")
from teapot.db import connection
from tests.database.testapp.models import Event

async def main():
    async with connection.schema_editor() as editor:
        await editor.create_model(Event)
    try:
        at = datetime.datetime(2024, 1, 15, 9, 30)  # naive: Paris wall-clock time
        await Event.objects.acreate(name="e", day=at.date(), at=at)
        event = await Event.objects.aget()
        async with connection.cursor() as cur:
            await cur.execute("SELECT (at AT TIME ZONE 'UTC')::text FROM testapp_event")
            (utc,) = await cur.fetchone()
        print(repr(event.at), utc, await Event.objects.filter(at__hour=9).acount())
    finally:
        async with connection.schema_editor() as editor:
            await editor.delete_model(Event)
        await teapot.close()

asyncio.run(main())
"""


async def test_naive_datetimes_are_wall_clock_times_when_use_tz_is_off():
    # USE_TZ is per process, so this runs in a subprocess, on a database of its own.
    import subprocess
    import sys
    from pathlib import Path

    from tests.database.databases import create_database, other_database

    url = other_database("postgresql", "_tz")
    await create_database("postgresql", url)
    root = Path(__file__).resolve().parents[2]
    out = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", USE_TZ_OFF.format(url=url)],
        cwd=root, capture_output=True, text=True, timeout=60,
    )
    assert out.returncode == 0, out.stderr
    # Read back naive and unchanged; stored as the instant 08:30 UTC (Paris is UTC+1 in January).
    assert out.stdout.split() == ["datetime.datetime(2024,", "1,", "15,", "9,", "30)", "2024-01-15", "08:30:00", "1"]


async def test_time_zone_overrides_reach_an_open_connection():
    # Settings overrides inside a transaction: the connection that is already open reads and
    # writes in the new zone, and its session follows (and comes back after).
    from teapot.conf import settings
    from teapot.testing import override_settings

    async def session_zone():
        async with connection.cursor() as cur:
            await cur.execute("SELECT current_setting('TimeZone')")
            return (await cur.fetchone())[0]

    instant = datetime.datetime(2024, 1, 15, 8, 30, tzinfo=datetime.timezone.utc)
    async with transaction.atomic():
        await Event.objects.acreate(name="e", day=instant.date(), at=instant)
        before = await session_zone()
        with override_settings(USE_TZ=False, TIME_ZONE="Asia/Tokyo"):
            assert await session_zone() == "Asia/Tokyo"
            assert await Event.objects.values_list("at", flat=True).aget() == datetime.datetime(2024, 1, 15, 17, 30)
            async with connection.cursor() as cur:
                await cur.execute("SELECT count(*) FROM testapp_event WHERE at = %s", [datetime.datetime(2024, 1, 15, 17, 30)])
                assert await cur.fetchone() == (1,)
        assert await session_zone() == before
        at = await Event.objects.values_list("at", flat=True).aget()
        assert at == instant and (at.tzinfo is not None) is settings.USE_TZ


async def test_iterator_streams_through_a_server_side_cursor():
    await Author.objects.abulk_create([Author(name=f"a{i:05}") for i in range(1000)])

    async def open_cursors():
        async with connection.cursor() as cur:
            await cur.execute("SELECT count(*) FROM pg_cursors WHERE name LIKE %s", ["_django_curs_%"])
            return (await cur.fetchone())[0]

    seen = []
    async for author in Author.objects.order_by("name").iterator(chunk_size=100):
        if len(seen) == 150:
            # Mid-iteration the rows still live on the server, behind one open cursor.
            assert await open_cursors() == 1
        seen.append(author.name)
    assert seen == [f"a{i:05}" for i in range(1000)]
    assert await open_cursors() == 0
    async with transaction.atomic():  # inside a transaction the cursor needs no WITH HOLD
        assert len([a async for a in Author.objects.iterator(chunk_size=300)]) == 1000


async def test_a_streams_chunk_is_handed_on_as_the_drivers_records_not_copied():
    await Author.objects.abulk_create([Author(name=f"a{i}", age=i) for i in range(5)])
    async with transaction.atomic():
        cursor = await connection.chunked_cursor()
        try:
            await cursor.execute("SELECT name, age FROM testapp_author ORDER BY age")
            chunk = await cursor.fetchmany(3)
        finally:
            await cursor.close()
    # One copy of the chunk in memory: asyncpg's records, which compare and slice as tuples.
    assert all(type(row) is asyncpg.Record for row in chunk)
    assert chunk == [("a0", 0), ("a1", 1), ("a2", 2)] and chunk[1][0:1] == ("a1",)
    names = [(a.name, a.age) async for a in Author.objects.order_by("age").iterator(chunk_size=2)]
    assert names == [(f"a{i}", i) for i in range(5)]


async def test_an_error_while_fetching_in_a_transaction_is_not_hidden_by_the_cursor_close():
    # The FETCH fails (division by zero on the sixth row) and aborts the transaction; closing the
    # cursor then must not replace that error with "current transaction is aborted".
    await Author.objects.abulk_create([Author(name=f"a{i}", age=i) for i in range(10)])
    with pytest.raises(DataError, match="division by zero"):
        async with transaction.atomic():
            async for _ in Author.objects.annotate(q=100 / (F("age") - 5)).order_by("age").iterator(chunk_size=1):
                pass
    assert connection.connection is None or not connection.connection.open_cursors
    assert await Author.objects.count() == 10  # the connection is usable again


async def test_a_database_time_zone_changed_without_a_signal_is_followed():
    # Django's override_database_connection_timezone() changes the alias's TIME_ZONE and
    # drops the wrapper's cached zone, sending no setting_changed: an open connection must
    # still be in that zone for its next statement.
    def drop_cached_zone():
        connection.timezone, connection.timezone_name  # cached: make sure they are there
        del connection.timezone, connection.timezone_name

    async def session_zone():
        async with connection.cursor() as cursor:
            await cursor.execute("SELECT CURRENT_TIMESTAMP")
            return str((await cursor.fetchone())[0].tzinfo)

    original = connection.settings_dict["TIME_ZONE"]
    async with teapot.connection():
        assert await session_zone() == "UTC"
        connection.settings_dict["TIME_ZONE"] = "Europe/Paris"
        drop_cached_zone()
        try:
            assert await session_zone() == "Europe/Paris"
        finally:
            connection.settings_dict["TIME_ZONE"] = original
            drop_cached_zone()
        assert await session_zone() == "UTC"
