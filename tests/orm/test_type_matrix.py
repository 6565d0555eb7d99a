"""The type round-trip matrix: every concrete field type, with edge-case samples, is written
with create(), read back with get() and values_list(), and filtered by, on the database the
tests run on; and all of it is compared with what Django 5.2.19 itself gives for the same
samples on the same database (django_reference.py, run once per session in a subprocess).

One test per (column, sample): the column's samples are all written (so gt/lt/in have
neighbours), then that one sample is checked. The columns and samples are in
typeapp/samples.py, the models in typeapp/fields.py, both shared with the Django script.
"""

from __future__ import annotations

import contextlib
import json
import pathlib
import subprocess
import sys

import pytest

import teapot
from teapot.db import connection
from teapot.db.models import TextField
from teapot.db.models.functions import Cast
from tests.database.typeapp import models as typeapp_models
from tests.database.typeapp.samples import AUTO, COLUMNS, column_id, describe, filter_value, lookups, write_kwargs

ROOT = pathlib.Path(__file__).resolve().parents[2]

# (vendor, column, sample) -> why teapot differs from Django there; each one an expected failure
# (strict: it fails the run once fixed, so the entry gets removed).
KNOWN_DIFFERENCES: dict[tuple[str, str, str], str] = {
    ("postgresql", "float", "negative_zero"): (
        "Django's psycopg binds on the client and writes -0.0 as the SQL literal -0, an integer "
        "zero, so PostgreSQL stores 0; teapot binds the float8 -0.0 and stores (and reads) -0.0"
    ),
}

# (vendor, column, sample, lookup) where Django itself does not select the sample's own row:
# the lookup is still compared with Django, but not required to match the row.
DJANGO_OWN_MISSES: dict[tuple[str, str, str, str], str] = {
    ("mysql", "json", "string", "in"): "Django 5.2 on MySQL/MariaDB: json__in never matches a JSON string",
    ("mysql", "json", "empty_string", "in"): "Django 5.2 on MySQL/MariaDB: json__in never matches a JSON string",
}


def orders_like_python(column):
    """Whether the database orders the column's values as Python does."""
    if column.name == "uuid" and connection.vendor == "mysql" and connection.mysql_is_mariadb:
        return False  # MariaDB's uuid type sorts time-based (v1) UUIDs by their timestamp
    return column.ordered


CASES = [
    pytest.param(column, sample.id, id=f"{column_id(column)}-{sample.id}")
    for column in COLUMNS
    for sample in column.samples
]


@pytest.fixture(scope="session")
def django_answers():
    """Django's answers for every column and sample, on this database."""
    vendor = connection.vendor
    run = subprocess.run(
        [sys.executable, "-m", "tests.orm.django_reference", vendor],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if run.returncode:
        pytest.fail(f"the Django reference script failed on {vendor}:\n{run.stderr}", pytrace=False)
    answers = json.loads(run.stdout)
    assert (answers["django"], answers["vendor"]) == (teapot.DJANGO_VERSION, vendor)
    return answers["columns"]


@contextlib.asynccontextmanager
async def fresh_table(model):
    async with connection.schema_editor() as editor:
        if model._meta.db_table in await connection.introspection.table_names():
            await editor.delete_model(model)  # left behind by an interrupted run
        await editor.create_model(model)
    try:
        yield
    finally:
        async with connection.schema_editor() as editor:
            await editor.delete_model(model)
        await teapot.close()


async def observe(model, column, sample_id):
    """Write all of column's samples, then read back and filter by the one named sample_id.
    Returns (pks by sample id, get() value, values_list() value, sample ids matched per lookup,
    the stored value as text)."""
    pks = {}
    for sample in column.samples:
        pks[sample.id] = (await model.objects.create(**write_kwargs(column, sample))).pk
    ids_by_pk = {pk: sid for sid, pk in pks.items()}
    pk = pks[sample_id]
    rows = model.objects.all()  # the table is fresh: only this column's rows
    got = getattr(await rows.get(pk=pk), model._meta.get_field(column.name).attname)
    listed = await rows.filter(pk=pk).values_list(column.name, flat=True).get()
    matches = {}
    for label, kwargs in lookups(column, filter_value(column, column.sample(sample_id), pk)):
        matched = await rows.filter(**kwargs).values_list("pk", flat=True)
        matches[label] = sorted(ids_by_pk[p] for p in matched)
    # The database's own text of the stored value: a value read back right can still have been
    # stored as something else (a date sent as 'infinity').
    stored_text = None
    if column.as_text:
        row = rows.filter(pk=pk).values_list(Cast(column.name, output_field=TextField()), flat=True)
        stored_text = await row.get()
    return pks, got, listed, matches, stored_text


def expected_matches(stored, sample_id, label):
    """For ordered columns, which rows a lookup selects by Python's own comparisons of the
    stored values (the filter value is looked up as stored, whatever form it was written in)."""
    own = stored[sample_id]
    test = {
        "isnull": lambda value: value is None,
        "exact": lambda value: value is not None and value == own,
        "in": lambda value: value is not None and value == own,
        "gt": lambda value: value is not None and value > own,
        "lt": lambda value: value is not None and value < own,
    }[label]
    return sorted(sid for sid, value in stored.items() if test(value))


@pytest.mark.parametrize(("column", "sample_id"), CASES)
async def test_round_trip_matches_django(column, sample_id, django_answers, request):
    name = f"{column_id(column)}/{sample_id}"
    if reason := KNOWN_DIFFERENCES.get((connection.vendor, column_id(column), sample_id)):
        request.applymarker(pytest.mark.xfail(strict=True, reason=reason))
    model = getattr(typeapp_models, column.model)
    sample = column.sample(sample_id)
    async with fresh_table(model):
        pks, got, listed, matches, stored_text = await observe(model, column, sample_id)

    # What each sample is stored as: the database assigns AUTO primary keys.
    stored = {s.id: pks[s.id] if s.written is AUTO else s.expected for s in column.samples}
    expected = stored[sample_id]
    problems = []

    # The value read back equals the one written (as the field normalizes it), with its type.
    for via, value, type_name in (
        ("get()", got, column.get_type or type(expected).__name__),
        ("values_list()", listed, type(expected).__name__),
    ):
        if not (value == expected and type(value).__name__ == type_name):
            problems.append(f"{name}: {via} gave {value!r} ({type(value).__name__}), wrote {sample.written!r}, "
                            f"expected {expected!r} ({type_name})")

    # Each lookup selects the sample's own row (gt/lt never do), and for ordered types exactly
    # the rows Python's ordering puts there.
    for label, ids in matches.items():
        own_miss = (connection.vendor, column_id(column), sample_id, label) in DJANGO_OWN_MISSES
        if (sample_id in ids) == (label in ("gt", "lt")) and not own_miss:
            problems.append(f"{name}: {label} lookup matched {ids}")
        if orders_like_python(column) and ids != expected_matches(stored, sample_id, label):
            problems.append(f"{name}: {label} lookup matched {ids}, expected "
                            f"{expected_matches(stored, sample_id, label)}")

    # And all of it is what Django gives.
    django = django_answers[column_id(column)][sample_id]
    for what, teapot_answer, django_answer in (
        ("get()", describe(got), django["get"]),
        ("values_list()", describe(listed), django["values_list"]),
        ("lookups", matches, django["matches"]),
        ("stored text", stored_text, django["stored_text"]),
    ):
        if teapot_answer != django_answer:
            problems.append(f"{name}: {what} differs from Django: teapot {teapot_answer}, Django {django_answer}")

    assert not problems, "\n".join(problems)
