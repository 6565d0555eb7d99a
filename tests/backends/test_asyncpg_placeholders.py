"""Django's %s placeholders as PostgreSQL's $n, and the client-side literals (no server)."""

import datetime
import decimal
import uuid

import pytest

from teapot.backends.asyncpg.psycopg_any import sql
from teapot.backends.asyncpg.dbapi import DataError, ProgrammingError
from teapot.backends.asyncpg.literals import Inet, Jsonb, mogrify, quote
from teapot.backends.asyncpg.placeholders import PlaceholderError, bind, cast_of, casts_of, translate


@pytest.mark.parametrize(
    "sql, expected",
    [
        ("SELECT %s, %s", "SELECT $1, $2"),
        ("SELECT 1 WHERE a LIKE '%%' || %s || '%%'", "SELECT 1 WHERE a LIKE '%' || $1 || '%'"),
        ("SELECT 100 %% %s", "SELECT 100 % $1"),
        ("SELECT '%s', %s", "SELECT '%s', $1"),  # a literal's %s is text
        ("SELECT 'it''s %s', %s", "SELECT 'it''s %s', $1"),  # doubled quote inside
        ("SELECT E'\\'%s', %s", "SELECT E'\\'%s', $1"),  # backslash-escaped quote
        ('SELECT "col%s" FROM t WHERE x = %s', 'SELECT "col%s" FROM t WHERE x = $1'),
        ('SELECT "a""%s" FROM t WHERE x = %s', 'SELECT "a""%s" FROM t WHERE x = $1'),
        ("SELECT $$ %s $$, $tag$ ' %s $tag$, %s", "SELECT $$ %s $$, $tag$ ' %s $tag$, $1"),
        ("SELECT %s -- %s\n, %s", "SELECT $1 -- %s\n, $2"),
        ("SELECT /* %s /* nested */ %s */ %s", "SELECT /* %s /* nested */ %s */ $1"),
    ],
)
def test_translation(sql, expected):
    assert translate(sql).text == expected


def test_named_placeholders_number_each_name_once():
    translation, args = bind("SELECT %(a)s, %(b)s, %(a)s", {"a": 1, "b": 2})
    assert translation.text == "SELECT $1, $2, $1"
    assert args == [1, 2]


def test_no_parameters_means_no_interpolation():
    translation, args = bind("SELECT '100%' LIKE 'a%%'", None)
    assert translation is None and args == []


@pytest.mark.parametrize(
    "sql, params, message",
    [
        ("SELECT %s, %s", [1], "2 placeholders but 1 parameters"),
        ("SELECT %d", [1], "unsupported format character '%d'"),
        ("SELECT %s, %(a)s", [1], "mixes"),
        ("SELECT %(a)s", [1], "as a mapping"),
        ("SELECT %(a)s", {"b": 1}, "no parameter for %(a)s"),
        ("SELECT 'open", [], "unterminated string"),
        ("SELECT $x$ open", [], "unterminated dollar-quoted"),
    ],
)
def test_malformed_sql_or_parameters_are_programming_errors(sql, params, message):
    with pytest.raises(PlaceholderError, match=message.replace("(", r"\(").replace(")", r"\)")) as info:
        bind(sql, params)
    assert isinstance(info.value, ProgrammingError)


def test_statement_counting_ignores_semicolons_in_literals():
    assert translate("SELECT ';'; ").several is False
    assert translate("SET x = 1; SELECT 2").several is True
    assert translate("SELECT '%'; SELECT 2", placeholders=False).several is True


def test_translation_is_cached_per_sql_text():
    sql = "SELECT %s /* cache probe */"
    assert translate(sql) is translate(sql)


@pytest.mark.parametrize(
    "value, literal",
    [
        (None, "NULL"),
        (True, "true"),
        (-5, "-5"),
        (1.5, "1.5::float8"),
        (float("inf"), "'Infinity'::float8"),
        (decimal.Decimal("-1.50"), "'-1.50'::numeric"),
        ("O'Reilly \\ back", "E'O''Reilly \\\\ back'"),
        (b"\x00\xff", "'\\x00ff'::bytea"),
        (datetime.date(2024, 2, 29), "'2024-02-29'::date"),
        (datetime.datetime(2024, 1, 1, 12, 0, tzinfo=datetime.timezone.utc), "'2024-01-01T12:00:00+00:00'::timestamptz"),
        (datetime.timedelta(days=-1, seconds=5), "'-1 days 5 seconds 0 microseconds'::interval"),
        (uuid.UUID(int=1), "'00000000-0000-0000-0000-000000000001'::uuid"),
        (Inet("10.0.0.1"), "E'10.0.0.1'::inet"),
        (Jsonb({"a": "it's"}), "E'{\"a\": \"it''s\"}'::jsonb"),
        ([1, None], "ARRAY[1, NULL]"),
    ],
)
def test_literals(value, literal):
    assert quote(value) == literal


def test_nul_characters_are_refused():
    with pytest.raises(DataError, match="cannot contain NUL"):
        quote("a\x00b")


def test_unknown_types_are_refused():
    with pytest.raises(ProgrammingError, match="cannot adapt object values"):
        quote(object())


def test_mogrify_leaves_literal_text_alone():
    assert mogrify("SELECT '%s', %s, %s", ["$1", 2]) == "SELECT '%s', '$1', 2"


@pytest.mark.parametrize(
    "value",
    [
        "x",
        "it's",
        "a\\b",
        "",
        0,
        -1,
        10**20,
        0.5,
        -2.5,
        decimal.Decimal("0.5"),
        decimal.Decimal("-1.5"),
        True,
        False,
        None,
        datetime.date(2020, 1, 2),
        datetime.datetime(2020, 1, 2, 3, 4, 5, 600, tzinfo=datetime.timezone.utc),
        datetime.datetime(2020, 1, 2, 3, 4, 5),
        uuid.UUID(int=1),
    ],
    ids=repr,
)
def test_schema_literals_are_spelled_as_psycopg_spells_them(value):
    # The schema editor's DDL (defaults, checks) must be Django's own, character for character.
    from psycopg import sql as psycopg_sql  # the test extra installs psycopg

    assert sql.quote(value) == psycopg_sql.quote(value)


@pytest.mark.parametrize(
    "value, cast",
    [
        (True, "boolean"),
        (5, "int4"),
        (-(2**31), "int4"),
        (2**31, "int8"),
        (2**63, "numeric"),
        (0.5, "float8"),
        (decimal.Decimal("1.5"), "numeric"),
        (datetime.date(2024, 1, 1), "date"),
        (datetime.datetime(2024, 1, 1), "timestamp"),
        (datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc), "timestamptz"),
        (datetime.time(1, 2), "time"),
        (datetime.time(1, 2, tzinfo=datetime.timezone.utc), None),
        (datetime.timedelta(1), "interval"),
        (uuid.UUID(int=1), "uuid"),
        ("5", None),
        (b"x", None),
        (None, None),
        ([1, 2], None),
    ],
)
def test_parameters_are_typed_as_psycopg_types_them(value, cast):
    assert cast_of(value) == cast


def test_typed_placeholders_cast_each_use_of_a_parameter():
    translation, args = bind("SELECT %(a)s, %(b)s, %(a)s WHERE x = %(c)s", {"a": 1, "b": "t", "c": None})
    assert translation.typed(casts_of(args)) == "SELECT ($1::int4), $2, ($1::int4) WHERE x = $3"
    assert translation.typed(casts_of(["t", "u", None])) == translation.text


def test_equal_typed_parameters_are_sent_once():
    translation, args = bind("SELECT %s, %s, %s, %s GROUP BY %s, %s, %s", [1, "x", 1.5, True, 1, "x", 1.0])
    text, shared = translation.typed_bind(args)
    # 1 and 1.0 (and True) differ by type; the text "x" is left untyped and sent twice.
    assert text == "SELECT ($1::int4), $2, ($3::float8), ($4::boolean) GROUP BY ($1::int4), $5, ($6::float8)"
    assert shared == [1, "x", 1.5, True, "x", 1.0]
    translation, args = bind("SELECT %s, %s", [decimal.Decimal("1.0"), decimal.Decimal("1.00")])
    assert translation.typed_bind(args) == ("SELECT ($1::numeric), ($2::numeric)", args)


def test_json_parameters_are_typed_jsonb():
    assert cast_of(Jsonb({"a": 1})) == "jsonb"
