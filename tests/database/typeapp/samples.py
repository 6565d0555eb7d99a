"""The sample values of the type matrix, and the lookups each sample is filtered by.

Shared by tests/orm/test_type_matrix.py (teapot) and tests/orm/django_reference.py (Django):
plain Python, importing neither ORM.
"""

from __future__ import annotations

import dataclasses
import datetime
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

UTC = datetime.timezone.utc
SAME = object()  # Sample.read: the value comes back as written
AUTO = object()  # Sample.written for a primary key: let the database assign it


@dataclasses.dataclass(frozen=True)
class Sample:
    id: str
    written: object
    read: object = SAME  # what the field gives back, when it normalizes the written value

    @property
    def expected(self):
        return self.written if self.read is SAME else self.read


@dataclasses.dataclass(frozen=True)
class Column:
    name: str  # the field's attribute name
    samples: tuple[Sample, ...]
    model: str = "AllTypes"
    ordered: bool = False  # gt/lt lookups, checked against Python's ordering too
    text: bool = False  # contains lookup
    json: bool = False  # key / index lookups
    written_to: str | None = None  # a generated column: the samples are written to this one
    get_type: str | None = None  # the class get() gives, when not the sample's own (file fields)
    as_text: bool = True  # compare the database's own text of the stored value (not for bytes)

    def sample(self, sample_id):
        return next(s for s in self.samples if s.id == sample_id)


def s(id, written, read=SAME):
    return Sample(id, written, read)


def ints(low, high):
    signed = [s("minus_one", -1), s("min", low)] if low < 0 else []
    return (s("none", None), s("zero", 0), *signed, s("max", high))


QUOTES = "' \" \\ % %s $1 ?"  # every placeholder and quoting style a driver might trip on

COLUMNS = (
    Column("big_integer", ints(-(2**63), 2**63 - 1), ordered=True),
    Column("integer", ints(-(2**31), 2**31 - 1), ordered=True),
    Column("small_integer", ints(-(2**15), 2**15 - 1), ordered=True),
    Column("positive_big_integer", ints(0, 2**63 - 1), ordered=True),
    Column("positive_integer", ints(0, 2**31 - 1), ordered=True),
    Column("positive_small_integer", ints(0, 2**15 - 1), ordered=True),
    Column(
        "boolean",
        (s("none", None), s("true", True), s("false", False)),
    ),
    Column(
        "float",
        (
            s("none", None),
            s("zero", 0.0),
            s("negative_zero", -0.0),
            s("tenth", 0.1),
            s("third", 1 / 3),
            s("max", 1.7976931348623157e308),
            s("lowest", -1.7976931348623157e308),
            s("smallest_normal", 2.2250738585072014e-308),
            s("large", 1e300),
        ),
        ordered=True,
    ),
    Column(
        "decimal",  # max_digits=12, decimal_places=4
        (
            s("none", None),
            s("zero", Decimal("0")),
            s("max_digits", Decimal("99999999.9999")),
            s("min_digits", Decimal("-99999999.9999")),
            s("smallest_step", Decimal("0.0001")),
            s("fewer_places", Decimal("1.5")),
            s("negative", Decimal("-42.125")),
        ),
        ordered=True,
    ),
    Column(
        "char",  # max_length=20
        (
            s("none", None),
            s("empty", ""),
            s("ascii", "plain"),
            s("accents", "üñíçødé"),
            s("emoji", "🫖 tea ☕"),
            s("quotes_and_placeholders", QUOTES),
            s("max_length_unicode", "é" * 20),
            s("newline_tab", "a\nb\tc"),
        ),
        text=True,
    ),
    Column(
        "text",
        (
            s("none", None),
            s("empty", ""),
            s("long_emoji", "🫖" * 5000 + "end"),
            s("quotes_and_placeholders", QUOTES),
            s("multiline", "first\r\nsecond\nthird"),
        ),
        text=True,
    ),
    Column(
        "email",
        (s("none", None), s("empty", ""), s("ascii", "ann@example.com"), s("unicode", "ünï@exämple.org")),
        text=True,
    ),
    Column("slug", (s("none", None), s("empty", ""), s("ascii", "a-slug_1"), s("unicode", "ünï-slug")), text=True),
    Column(
        "url",
        (
            s("none", None),
            s("empty", ""),
            s("query", "https://example.com/path?q=1&r=%20#frag"),
            s("unicode", "https://例え.jp/パス"),
        ),
        text=True,
    ),
    Column(
        "file_path",
        (s("none", None), s("empty", ""), s("ascii", "/srv/files/report.pdf"), s("unicode", "/srv/files/ünï 🫖.txt")),
        text=True,
    ),
    # FileField/ImageField store the name; assigning a string never touches the storage. They
    # never store NULL: None is saved as "" and read back as a file object without a name.
    Column(
        "file",
        (s("none", None, read=""), s("empty", ""), s("ascii", "docs/a.txt"), s("unicode", "ünï/🫖 file.txt")),
        get_type="FieldFile",
    ),
    Column(
        "image",
        (s("none", None, read=""), s("ascii", "images/cat.png"), s("unicode", "images/🫖.png")),
        get_type="ImageFieldFile",
    ),
    Column(
        "binary",
        (
            s("none", None),
            s("empty", b""),
            s("nul", b"\x00"),
            s("nul_and_ff", b"\xff\x00\xff"),
            s("every_byte", bytes(range(256))),
            s("large", bytes(range(256)) * 400),
        ),
        as_text=False,
    ),
    Column(
        "date",
        (
            s("none", None),
            s("leap_day", datetime.date(2024, 2, 29)),
            s("epoch", datetime.date(1970, 1, 1)),
            s("year_1000", datetime.date(1000, 1, 1)),
            s("max", datetime.date(9999, 12, 31)),
        ),
        ordered=True,
    ),
    Column(
        "date_time",  # USE_TZ=True, TIME_ZONE="UTC": aware values in, UTC values out
        (
            s("none", None),
            s("microseconds", datetime.datetime(2024, 2, 29, 23, 59, 59, 999999, tzinfo=UTC)),
            s("before_epoch", datetime.datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
            s("non_utc_zone", datetime.datetime(2024, 3, 31, 1, 30, 0, 123456, tzinfo=ZoneInfo("Asia/Kolkata"))),
            # An ambiguous wall time: fold=1 is the second 01:30, in EST. (Python never finds a
            # time in a fold equal to one in another zone, so the expected value is in UTC.)
            s(
                "dst_fold",
                datetime.datetime(2024, 11, 3, 1, 30, fold=1, tzinfo=ZoneInfo("America/New_York")),
                read=datetime.datetime(2024, 11, 3, 6, 30, tzinfo=UTC),
            ),
            s("year_1000", datetime.datetime(1000, 1, 1, tzinfo=UTC)),
            s("max", datetime.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
        ),
        ordered=True,
    ),
    Column(
        "time",
        (
            s("none", None),
            s("midnight", datetime.time(0, 0)),
            s("last_microsecond", datetime.time(23, 59, 59, 999999)),
            s("noon_and_a_microsecond", datetime.time(12, 0, 0, 1)),
        ),
        ordered=True,
    ),
    Column(
        "duration",
        (
            s("none", None),
            s("zero", datetime.timedelta(0)),
            s("microsecond", datetime.timedelta(microseconds=1)),
            s("minus_microsecond", datetime.timedelta(microseconds=-1)),
            s("minus_day", datetime.timedelta(days=-1)),
            s("negative_mixed", datetime.timedelta(days=-3, seconds=5, microseconds=7)),
            s("forty_five_days", datetime.timedelta(days=45)),
            s("long", datetime.timedelta(days=999_999, seconds=86_399, microseconds=999_999)),
        ),
        ordered=True,
    ),
    Column(
        "generic_ip_address",
        (
            s("none", None),
            s("empty_is_null", "", read=None),  # Django stores a blank address as NULL
            s("ipv4", "192.0.2.1"),
            s("ipv4_zero", "0.0.0.0"),
            s("ipv6_loopback", "::1"),
            s("ipv6", "2001:db8::ff00:42:8329"),
            s("ipv6_uncompressed", "2001:0DB8:0000:0000:0000:FF00:0042:8329", read="2001:db8::ff00:42:8329"),
            s("ipv4_mapped", "::ffff:192.0.2.1"),
        ),
    ),
    Column(
        "uuid",
        (
            s("none", None),
            s("nil", uuid.UUID(int=0)),
            s("max", uuid.UUID(int=2**128 - 1)),
            s("v4", uuid.UUID("12345678-1234-4678-9234-567812345678")),
            s("from_string", "6ba7b810-9dad-11d1-80b4-00c04fd430c8", read=uuid.UUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8")),
        ),
        ordered=True,
    ),
    Column(
        "json",  # None is SQL NULL (the column is nullable), not JSON null
        (
            s("none", None),
            s("nested", {"a": 1, "nested": {"ü": ["🫖", None, True, 1.5]}}),
            s("unicode_key", {"ünï": "🫖"}),
            s("quotes", {"quote": QUOTES}),
            s("empty_object", {}),
            s("empty_array", []),
            s("array", [1, "two", None, False, 2.5]),
            s("string", "a string"),
            s("empty_string", ""),
            s("zero", 0),
            s("big_int", 2**53 + 1),
            s("float", 1.5),
            s("true", True),
            s("false", False),
        ),
        json=True,
    ),
    Column("foreign_key", (s("none", None), s("one", 1), s("max", 2**31 - 1)), ordered=True),
    Column("one_to_one", (s("none", None), s("one", 1), s("max", 2**31 - 1)), ordered=True),
    Column(
        "generated",  # small_integer * 2, computed by the database
        (
            s("none", None),
            s("zero", 0, read=0),
            s("positive", 2**15 - 1, read=2**16 - 2),
            s("negative", -(2**15), read=-(2**16)),
        ),
        ordered=True,
        written_to="small_integer",
    ),
    # Primary keys, each type on its own table: one assigned by the database, then explicit ones.
    Column("id", (s("auto", AUTO), s("two", 2), s("max", 2**31 - 1)), model="AutoPk", ordered=True),
    Column("id", (s("auto", AUTO), s("two", 2), s("max", 2**63 - 1)), model="BigAutoPk", ordered=True),
    Column("id", (s("auto", AUTO), s("two", 2), s("max", 2**15 - 1)), model="SmallAutoPk", ordered=True),
)


def column_id(column):
    """A column's name in test ids and in the reference output: the field, or the pk model."""
    return column.model if column.name == "id" else column.name


def write_kwargs(column, sample):
    """The create() keyword arguments that write sample."""
    if sample.written is AUTO:
        return {}
    attname = column.written_to or column.name
    if column.name in ("foreign_key", "one_to_one"):
        attname += "_id"
    return {attname: sample.written}


def filter_value(column, sample, pk):
    """The value a sample's row is looked up by: what was written (so the field's own
    normalization is exercised), but the assigned pk for AUTO and the stored value for a
    generated column or when the field stores something else for None or blank."""
    if sample.written is AUTO:
        return pk
    if column.written_to or sample.written is None or sample.expected is None:
        return sample.expected
    return sample.written


def lookups(column, value):
    """(label, filter kwargs) pairs that should select a row holding value, among others."""
    name = column.name
    if value is None:
        return [("isnull", {f"{name}__isnull": True})]
    found = [("exact", {name: value}), ("in", {f"{name}__in": [value]})]
    if column.ordered:
        found += [("gt", {f"{name}__gt": value}), ("lt", {f"{name}__lt": value})]
    if column.text:
        found.append(("contains", {f"{name}__contains": value[1:]}))
    if column.json and isinstance(value, dict) and value:
        key = next(iter(value))
        found.append(("has_key", {f"{name}__has_key": key}))
        if not isinstance(value[key], (dict, list)):
            found.append(("key", {f"{name}__{key}": value[key]}))
    if column.json and isinstance(value, list) and value:
        found.append(("index", {f"{name}__0": value[0]}))
    return found


def describe(value):
    """A value as the reference compares it: its type's full name and its repr. The ORM's
    package is written as django, so that teapot's FieldFile and Django's compare equal."""
    cls = type(value)
    module = cls.__module__
    if module == "teapot" or module.startswith("teapot."):
        module = "django" + module[len("teapot"):]
    return [f"{module}.{cls.__qualname__}", repr(value)]
