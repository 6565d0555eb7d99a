"""The asyncmy backend on a MySQL or MariaDB server: server facts read at connect, utf8mb4,
parameter binding, error translation, row counts, JSON, regex, decimals, time zones,
cancellation, and the schema editor's client-side quoting."""

import asyncio
import datetime
import time
from decimal import Decimal

import asyncmy
import pytest

import teapot

from teapot.core.exceptions import ImproperlyConfigured
from teapot.db import IntegrityError, connection, connections, transaction
from teapot.db.models import Sum
from teapot.db.models.functions import ExtractHour
from tests.database.testapp.models import Author, Book, Measure

pytestmark = pytest.mark.usefixtures("tables")

UTC = datetime.timezone.utc


async def fetch(sql, params=None, conn=connection):
    async with conn.cursor() as cur:
        await cur.execute(sql, params)
        return await cur.fetchall()


async def test_server_facts_are_read_at_connect():
    [(version, sql_mode)] = await fetch("SELECT VERSION(), @@sql_mode")
    is_mariadb = "mariadb" in version.lower()
    assert connection.mysql_is_mariadb is is_mariadb
    assert connection.display_name == ("MariaDB" if is_mariadb else "MySQL")
    assert connection.mysql_version == tuple(int(part) for part in version.split("-")[0].split(".")[:3])
    assert connection.sql_mode == set(sql_mode.split(","))
    assert "STRICT_TRANS_TABLES" in connection.sql_mode
    # Features that differ between the two servers follow the facts.
    assert connection.features.can_return_columns_from_insert is is_mariadb
    assert connection.features.has_select_for_update_of is not is_mariadb


async def test_server_facts_need_a_connection_first():
    fresh = connection.copy()
    with pytest.raises(ImproperlyConfigured, match="MySQL/MariaDB server facts"):
        fresh.features.is_sql_auto_is_null_enabled
    try:
        await fresh.ensure_connection()
        assert fresh.features.is_sql_auto_is_null_enabled is False  # upstream's SET ran
        # MariaDB before 11.1 names it tx_isolation, MySQL 8 transaction_isolation.
        old_name = fresh.mysql_is_mariadb and fresh.mysql_version < (11, 1)
        variable = "tx_isolation" if old_name else "transaction_isolation"
        [(auto_is_null, isolation)] = await fetch(f"SELECT @@sql_auto_is_null, @@{variable}", conn=fresh)
        assert (auto_is_null, isolation) == (0, "READ-COMMITTED")
        assert fresh.display_name == connection.display_name
    finally:
        await fresh.close()


async def test_utf8mb4_round_trip():
    await Author.objects.acreate(name="Tea 🫖 für Ĳsbrand")
    assert await Author.objects.filter(name__contains="🫖").values_list("name", flat=True) == ["Tea 🫖 für Ĳsbrand"]


async def test_percent_signs_with_and_without_params():
    # As mysqlclient: with parameters, %% is a literal %; without, the SQL is sent as written.
    assert await fetch("SELECT %s, '100%%'", ["x"]) == (("x", "100%"),)
    assert await fetch("SELECT '100%%'") == (("100%%",),)
    await Author.objects.abulk_create([Author(name="100% tea"), Author(name="100 tea"), Author(name="a_b")])
    assert await Author.objects.filter(name__contains="%").values_list("name", flat=True) == ["100% tea"]
    assert await Author.objects.filter(name__contains="_").values_list("name", flat=True) == ["a_b"]


async def test_driver_values_are_what_mysqlclient_gives():
    [row] = await fetch(
        "SELECT CAST('12:34:56.5' AS TIME(6)), CAST('2024-03-05 22:30:00' AS DATETIME(6)), "
        "CAST('1.100' AS DECIMAL(6, 3)), X'00FF275C', CAST(NULL AS TIME)"
    )
    assert row == (
        datetime.time(12, 34, 56, 500000),
        datetime.datetime(2024, 3, 5, 22, 30),
        Decimal("1.100"),
        b"\x00\xff'\\",
        None,
    )


async def test_executemany_with_a_bad_row_raises_before_sending_and_keeps_the_transaction():
    sql = "INSERT INTO testapp_author (name, age) VALUES (%s, %s)"
    async with transaction.atomic():
        await Author.objects.acreate(name="kept")
        held = connection.connection
        async with connection.cursor() as cursor:
            for rows in ([("a", 1, 2)], [("b",)], [("c", 1), ("d", 1, 2)]):
                with pytest.raises(TypeError):
                    await cursor.executemany(sql, rows)
            assert connection.connection is held  # nothing was sent: the connection is fine
            await cursor.executemany(sql, [("e", 1), ("f", 2)])
    assert await Author.objects.values_list("name", flat=True) == ["e", "f", "kept"]


async def test_integrity_errors():
    await Author.objects.acreate(name="Ann")
    raw = connection.connection
    with pytest.raises(IntegrityError):
        await Author.objects.acreate(name="Ann")
    with pytest.raises(IntegrityError):
        await Author.objects.acreate(name=None)
    with pytest.raises(IntegrityError):  # error 1048, which upstream's CursorWrapper translates
        await fetch("UPDATE testapp_author SET name = NULL")
    with pytest.raises(IntegrityError):
        async with transaction.atomic():
            await Book.objects.acreate(title="Orphan", author_id=999)
    assert await Author.objects.values_list("name", flat=True) == ["Ann"]
    assert connection.connection is raw  # errors the server reports leave the connection usable


async def test_stored_procedures():
    async with connection.cursor() as cur:
        await cur.execute("DROP PROCEDURE IF EXISTS teapot_double")
        await cur.execute("CREATE PROCEDURE teapot_double (IN n INTEGER) BEGIN SELECT n * 2; END")
        try:
            await cur.callproc("teapot_double", [21])
            assert await cur.fetchall() == ((42,),)
            while await cur.nextset():
                pass
        finally:
            await cur.execute("DROP PROCEDURE teapot_double")
    assert await fetch("SELECT 1") == ((1,),)


async def test_update_counts_matched_rows_and_insert_ids():
    await Author.objects.abulk_create([Author(name="Ann", age=3), Author(name="Bob", age=3)])
    # Nothing changes, but both rows match: Django expects 2 (CLIENT.FOUND_ROWS).
    assert await Author.objects.filter(age=3).update(age=3) == 2
    async with connection.cursor() as cur:
        await cur.execute("INSERT INTO testapp_author (name, age) VALUES (%s, %s)", ["Cy", 1])
        assert cur.rowcount == 1
        inserted = cur.lastrowid
    assert (await Author.objects.aget(name="Cy")).pk == inserted


async def test_json_key_lookups():
    ann = await Author.objects.acreate(name="Ann")
    await Book.objects.acreate(title="Dune", author=ann, data={"genre": "sf", "tags": ["desert"], "n": 2})
    await Book.objects.acreate(title="Emma", author=ann, data={"genre": "novel", "n": None})
    assert await Book.objects.filter(data__genre="sf").values_list("title", flat=True) == ["Dune"]
    assert await Book.objects.filter(data__tags__0="desert").values_list("title", flat=True) == ["Dune"]
    assert await Book.objects.filter(data__has_key="tags").count() == 1
    assert await Book.objects.filter(data__n__gt=1).count() == 1
    assert await Book.objects.filter(data__contains={"genre": "novel"}).values_list("title", flat=True) == ["Emma"]
    assert (await Book.objects.aget(title="Dune")).data == {"genre": "sf", "tags": ["desert"], "n": 2}


async def test_regex_lookups():
    await Author.objects.abulk_create([Author(name="Ann"), Author(name="Anna"), Author(name="bob")])
    assert await Author.objects.filter(name__regex=r"^An+$").values_list("name", flat=True) == ["Ann"]
    assert await Author.objects.filter(name__regex=r"^B").count() == 0  # case-sensitive
    assert await Author.objects.filter(name__iregex=r"^B").values_list("name", flat=True) == ["bob"]


async def test_decimals_stay_exact():
    await Measure.objects.abulk_create([Measure(value=Decimal("0.100")), Measure(value=Decimal("0.200"))])
    assert (await Measure.objects.aggregate(total=Sum("value")))["total"] == Decimal("0.300")
    first = await Measure.objects.order_by("pk").afirst()
    assert first.value == Decimal("0.100") and isinstance(first.value, Decimal)


async def test_datetimes_are_stored_in_utc_and_read_aware():
    paris_summer = datetime.timezone(datetime.timedelta(hours=2))
    at = datetime.datetime(2024, 3, 5, 23, 30, tzinfo=paris_summer)
    await Measure.objects.acreate(value=Decimal("1"), at=at)
    assert await fetch("SELECT at FROM testapp_measure") == ((datetime.datetime(2024, 3, 5, 21, 30),),)
    row = await Measure.objects.annotate(hour=ExtractHour("at")).aget()
    assert row.at == at and row.at.tzinfo is not None and row.at.utcoffset() == datetime.timedelta(0)
    assert row.hour == 21
    assert await Measure.objects.filter(at__date=datetime.date(2024, 3, 5)).count() == 1


async def test_cancelled_query_closes_the_connection_and_the_next_query_reconnects():
    await Author.objects.acreate(name="Ann")
    used = []

    async def sleep():
        async with teapot.connection():
            [(thread_id,)] = await fetch("SELECT CONNECTION_ID()")
            used.append((connection.connection, thread_id))
            return await fetch("SELECT SLEEP(5)")

    task = asyncio.create_task(sleep())
    await asyncio.sleep(0.2)
    started = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - started < 1
    [(old, old_id)] = used
    assert not old.connected  # closed, not left holding the unread SLEEP result
    pool = connection.connection_pool
    # The cancelled task had leased the one idle connection: it is gone, not back in the pool.
    assert (pool.size, pool.in_use) == (0, 0)

    assert await Author.objects.values_list("name", flat=True) == ["Ann"]
    [(new_id,)] = await fetch("SELECT CONNECTION_ID()")
    assert new_id != old_id
    assert await fetch("SELECT %s + 1", [41]) == ((42,),)


async def test_cancelled_query_in_a_transaction_loses_the_transaction():
    used = []

    async def work():
        async with transaction.atomic():
            await Author.objects.acreate(name="Ann")
            used.append(connection.connection)
            await fetch("SELECT SLEEP(5)")

    task = asyncio.create_task(work())
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not used[0].connected
    assert connection.connection_pool.in_use == 0  # this task has not queried yet
    # Never committed: the server rolls the session back once its SLEEP ends and it notices
    # the closed socket (until then it holds its locks).
    assert await Author.objects.count() == 0
    await Author.objects.acreate(name="Bob")
    assert await Author.objects.values_list("name", flat=True) == ["Bob"]


PAYLOADS = [
    "'; DROP TABLE testapp_author; --",
    "\\'; DROP TABLE testapp_author; --",
    "\\\\'; DROP TABLE testapp_author; --",
    "'' OR 1=1 --",
    "\\",
    "\\\\",
    "\\'",
    "'\\",
    '"\\"',
    "a\x00b\n\r\x1a\tz",
    "%s %% %(x)s",
    "🫖 ünïcode",
]


async def round_trip(conn):
    async with conn.schema_editor() as editor:
        literals = [editor.quote_value(payload) for payload in PAYLOADS]
    for payload, literal in zip(PAYLOADS, literals):
        assert await fetch(f"SELECT {literal}", conn=conn) == ((payload,),), literal
    async with conn.schema_editor() as editor:
        literal = editor.quote_value(b"\x00'\\\xff")
    assert await fetch(f"SELECT {literal}", conn=conn) == ((b"\x00'\\\xff",),)
    # The payloads stayed data.
    assert "testapp_author" in await conn.introspection.table_names()


async def test_quote_value_round_trips_injection_payloads():
    assert "NO_BACKSLASH_ESCAPES" not in connection.sql_mode
    await round_trip(connection)


async def test_quote_value_honours_no_backslash_escapes():
    other = connection.copy()
    # asyncmy runs init_command before teapot reads the server's variables.
    other.settings_dict["OPTIONS"]["init_command"] = (
        "SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')"
    )
    try:
        await other.ensure_connection()
        assert "NO_BACKSLASH_ESCAPES" in other.sql_mode
        await round_trip(other)
    finally:
        await other.close()


async def test_current_time_zone_uses_the_servers_zone_tables():
    await connection.ensure_connection()
    if not connection.features.has_zoneinfo_database:
        pytest.skip("the server's time-zone tables are not loaded (mariadb-tzinfo-to-sql)")
    from teapot.utils import timezone

    await Measure.objects.acreate(value=Decimal("1"), at=datetime.datetime(2024, 1, 5, 3, 30, tzinfo=UTC))
    with timezone.override("America/New_York"):
        row = await Measure.objects.annotate(hour=ExtractHour("at")).aget()
        assert row.hour == 22
        assert await Measure.objects.filter(at__date=datetime.date(2024, 1, 4)).count() == 1


async def _set_statements(cursor):
    await cursor.execute("SHOW SESSION STATUS LIKE 'Com_set_option'")
    return int((await cursor.fetchone())[1])


async def test_autocommit_comes_back_on_before_the_next_statement_not_after_each_transaction():
    async with teapot.connection():
        async with connection.cursor() as cursor:
            before = await _set_statements(cursor)
        for name in ("Ann", "Bob", "Cid"):
            async with transaction.atomic():
                await Author.objects.create(name=name)
        async with connection.cursor() as cursor:
            after = await _set_statements(cursor)
    # Autocommit off before the first transaction, on again before SHOW: not 2 per transaction.
    assert after - before == 2


async def test_a_read_after_a_transaction_autocommits_and_sees_later_commits():
    async with teapot.connection():
        async with transaction.atomic():
            await Author.objects.create(name="Ann")
        assert await Author.objects.count() == 1

        async def other_task_commits():
            await Author.objects.create(name="Bob")

        await asyncio.create_task(other_task_commits())
        # Had the first count opened a transaction, its snapshot would hide Bob.
        assert await Author.objects.count() == 2
        [(autocommit,)] = await fetch("SELECT @@autocommit")
        assert autocommit == 1


@pytest.mark.pool(max_size=1)
async def test_a_connection_given_back_after_a_transaction_autocommits_for_the_next_task():
    async with transaction.atomic():
        await Author.objects.create(name="Ann")

    async def next_task():
        [(autocommit,)] = await fetch("SELECT @@autocommit")
        await Author.objects.create(name="Bob")
        return autocommit

    assert await asyncio.create_task(next_task()) == 1  # the same connection: pool of one
    # Bob is committed: another session sees him.
    settings = connections["default"].settings_dict
    other = await asyncmy.connect(
        host=settings["HOST"], port=int(settings["PORT"]), user=settings["USER"], db=settings["NAME"]
    )
    try:
        async with other.cursor() as cursor:
            await cursor.execute(f"SELECT name FROM {Author._meta.db_table} ORDER BY name")
            assert await cursor.fetchall() == (("Ann",), ("Bob",))
    finally:
        other.close()
