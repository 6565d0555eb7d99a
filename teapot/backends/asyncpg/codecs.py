"""Values in and out of asyncpg, the way Django's psycopg setup has them.

asyncpg binds parameters with the types the server infers for the statement and refuses a
value of another Python type (``'5'`` for an ``int4``, ``5`` for a ``text``); psycopg would
have sent both as literals. ``coercers`` turns Django's values into what each inferred type
takes, once per statement. Results: ``jsonb`` and ``inet``/``cidr`` come back as text (Django
decodes them itself, as it registers psycopg's text loaders for them); timestamps come back
in the connection's time zone, naive when USE_TZ is off.
"""

from __future__ import annotations

import datetime
import decimal
import json
import uuid

import asyncpg

from .dbapi import DataError
from .literals import Jsonb, refuse_nul

_EPOCH = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
_MICROSECOND = datetime.timedelta(microseconds=1)


def _as_text(value):
    if isinstance(value, str):
        return refuse_nul(value)
    if isinstance(value, Jsonb):
        return value.dumped()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode()
    return str(value)


def _as_int(value):
    if type(value) is int:
        return value
    if isinstance(value, str):
        return int(value.strip())
    if isinstance(value, (float, decimal.Decimal)) and value == int(value):
        return int(value)
    return value  # asyncpg reports what it cannot encode


def _as_float(value):
    if isinstance(value, (int, decimal.Decimal, str)) and not isinstance(value, bool):
        return float(value)
    return value


def _as_decimal(value):
    if isinstance(value, (int, float, str)) and not isinstance(value, bool):
        return decimal.Decimal(str(value))
    return value


def _as_date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, str):
        return datetime.date.fromisoformat(value)
    return value


def _as_time(value):
    if isinstance(value, str):
        value = datetime.time.fromisoformat(value)
    if isinstance(value, datetime.time) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value


def _as_uuid(value):
    if isinstance(value, str):
        return uuid.UUID(value)
    return value


def _as_interval(value):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.timedelta(microseconds=value)
    return value


def _as_bytes(value):
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode()
    return value


class TimestampCoercer:
    """Naive datetimes are wall-clock times in the connection's time zone (USE_TZ off, or a
    raw query); the server's ``timestamptz`` needs the instant."""

    __slots__ = ("tz", "use_tz")

    def __init__(self, tz, use_tz=False):
        self.tz = tz  # the connection's zone, as the codecs read it (changed with the settings)
        self.use_tz = use_tz

    def timestamptz(self, value):
        if isinstance(value, str):
            value = datetime.datetime.fromisoformat(value)
        elif type(value) is datetime.date:
            value = datetime.datetime.combine(value, datetime.time())
        if isinstance(value, datetime.datetime) and value.tzinfo is None:
            return value.replace(tzinfo=self.tz)
        return value

    def timestamp(self, value):
        if isinstance(value, str):
            value = datetime.datetime.fromisoformat(value)
        elif type(value) is datetime.date:
            value = datetime.datetime.combine(value, datetime.time())
        if isinstance(value, datetime.datetime) and value.tzinfo is not None:
            return value.astimezone(self.tz).replace(tzinfo=None)
        return value


_TEXT = ("text", "varchar", "bpchar", "char", "name", "citext", "unknown", "xml")
_SIMPLE = {
    **{name: _as_text for name in _TEXT},
    "int2": _as_int,
    "int4": _as_int,
    "int8": _as_int,
    "oid": _as_int,
    "float4": _as_float,
    "float8": _as_float,
    "numeric": _as_decimal,
    "date": _as_date,
    "time": _as_time,
    "uuid": _as_uuid,
    "interval": _as_interval,
    "bytea": _as_bytes,
}


def _array(element):
    def coerce(value):
        if isinstance(value, (list, tuple)):
            return [coerce(v) if isinstance(v, (list, tuple)) else (None if v is None else element(v)) for v in value]
        return value

    return coerce


def coercer_for(type_name: str, timestamps: TimestampCoercer):
    """The function that adapts a value for a parameter of ``type_name``, or None."""
    if type_name.startswith("_"):
        element = coercer_for(type_name[1:], timestamps)
        return _array(element) if element else None
    if type_name in ("timestamptz", "timestamp"):
        return getattr(timestamps, type_name)
    return _SIMPLE.get(type_name)


def coercers(parameter_types, timestamps: TimestampCoercer) -> tuple:
    return tuple(coercer_for(t.name, timestamps) for t in parameter_types)


def coerce(args: list, funcs: tuple) -> list:
    out = []
    for number, (value, func) in enumerate(zip(args, funcs), 1):
        if func is None or value is None:
            out.append(value)
            continue
        try:
            out.append(func(value))
        except (ValueError, TypeError, ArithmeticError) as exc:
            # Worded like asyncpg's own encoding errors, which also become DataError.
            raise DataError(f"invalid input for query argument ${number}: {value!r} ({exc})") from exc
    return out


# -- codecs registered on each connection


def encode_json(value) -> str:
    try:
        if isinstance(value, Jsonb):
            return value.dumped()
        if isinstance(value, str):
            return value  # already JSON text (Django's KeyTransform lookups pass strings)
        return json.dumps(value)
    except (TypeError, ValueError) as exc:
        # asyncpg reports it as a DataError about the parameter; the cursor raises this
        # exception itself, as psycopg lets the JSON encoder's error through.
        exc.from_json_encoder = True
        raise


def json_encoder_error(exc: BaseException) -> BaseException | None:
    """The JSON encoder's own error behind asyncpg's DataError for a parameter, if that is
    what ``exc`` is."""
    cause = exc.__cause__
    if isinstance(exc, asyncpg.exceptions.DataError) and getattr(cause, "from_json_encoder", False):
        return cause
    return None


def _identity(value):
    return value


def _encode_uuid(value):
    return value.bytes


def _decode_uuid(data):
    return uuid.UUID(bytes=bytes(data))


async def register(conn, timestamps: TimestampCoercer) -> None:
    """Install the codecs Django's psycopg setup amounts to on an asyncpg connection. The
    timestamp codecs read the zone and USE_TZ from ``timestamps`` at each value, as Django's
    cursors take the connection's current zone."""
    for name in ("jsonb", "json"):
        await conn.set_type_codec(name, schema="pg_catalog", encoder=encode_json, decoder=_identity, format="text")
    for name in ("inet", "cidr"):
        await conn.set_type_codec(name, schema="pg_catalog", encoder=str, decoder=_identity, format="text")
    # uuid.UUID itself, as psycopg gives, not asyncpg's subclass of it.
    await conn.set_type_codec("uuid", schema="pg_catalog", encoder=_encode_uuid, decoder=_decode_uuid, format="binary")
    # Dates and timestamps have codecs of their own because asyncpg's send the largest and
    # smallest values Python has (9999-12-31, 0001-01-01 and those instants) as 'infinity' and
    # '-infinity'; psycopg sends them as they are. Timestamps are microseconds since
    # 2000-01-01 UTC, shown in the connection's zone (naive without USE_TZ); dates are days.

    def decode_timestamptz(data):
        value = (_EPOCH + _microseconds(data[0], "timestamp")).astimezone(timestamps.tz)
        return value if timestamps.use_tz else value.replace(tzinfo=None)

    def encode_timestamptz(value):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timestamps.tz)
        return ((value - _EPOCH) // _MICROSECOND,)

    await conn.set_type_codec(
        "timestamptz", schema="pg_catalog", encoder=encode_timestamptz, decoder=decode_timestamptz, format="tuple"
    )
    await conn.set_type_codec(
        "timestamp", schema="pg_catalog", encoder=_encode_timestamp, decoder=_decode_timestamp, format="tuple"
    )
    await conn.set_type_codec("date", schema="pg_catalog", encoder=_encode_date, decoder=_decode_date, format="tuple")


_NAIVE_EPOCH = datetime.datetime(2000, 1, 1)
_EPOCH_DATE = datetime.date(2000, 1, 1)
_INFINITY = {2**63 - 1: "too large (after year 10K): 'infinity'", -(2**63): "too small (before year 1): '-infinity'"}
_DATE_INFINITY = {2**31 - 1: "too large (after year 10K): 'infinity'", -(2**31): "too small (before year 1): '-infinity'"}


def _out_of_range(kind, message):
    from .dbapi import DataError

    return DataError(f"{kind} {message}")  # psycopg's message for a value Python cannot hold


def _microseconds(count, kind):
    if count in _INFINITY:
        raise _out_of_range(kind, _INFINITY[count])
    return count * _MICROSECOND


def _decode_timestamp(data):
    return _NAIVE_EPOCH + _microseconds(data[0], "timestamp")


def _encode_timestamp(value):
    return ((value - _NAIVE_EPOCH) // _MICROSECOND,)


def _decode_date(data):
    if data[0] in _DATE_INFINITY:
        raise _out_of_range("date", _DATE_INFINITY[data[0]])
    return _EPOCH_DATE + datetime.timedelta(days=data[0])


def _encode_date(value):
    return ((value - _EPOCH_DATE).days,)
