"""Django's own answers for the type matrix: real Django (sync) writes every sample of
tests/database/typeapp/samples.py to the same database server teapot's test uses, reads it back and
filters by it, and prints what it got as JSON. test_type_matrix.py runs this in a subprocess and
compares teapot's answers with it.

    python -m tests.orm.django_reference sqlite|postgresql|mysql

Its tables are django_reference_*, so they never share rows with teapot's typeapp_* tables.
Needs django==5.2.19, plus psycopg for PostgreSQL and PyMySQL for MySQL.
"""

from __future__ import annotations

import json
import sys

from tests.database.databases import django_database_settings
from tests.database.typeapp.fields import define
from tests.database.typeapp.samples import COLUMNS, column_id, describe, filter_value, lookups, write_kwargs

APP_LABEL = "django_reference"


def database_settings(database):
    return django_database_settings(database)


def observe_column(model, column):
    """Write every sample of column, then read each back and filter by it."""
    model.objects.all().delete()
    pks = {}
    for sample in column.samples:
        pks[sample.id] = model.objects.create(**write_kwargs(column, sample)).pk
    ids_by_pk = {pk: sample_id for sample_id, pk in pks.items()}
    rows = model.objects.filter(pk__in=list(pks.values()))
    attname = model._meta.get_field(column.name).attname
    observed = {}
    for sample in column.samples:
        pk = pks[sample.id]
        matches = {}
        for label, kwargs in lookups(column, filter_value(column, sample, pk)):
            matched = rows.filter(**kwargs).values_list("pk", flat=True)
            matches[label] = sorted(ids_by_pk[p] for p in matched)
        observed[sample.id] = {
            "get": describe(getattr(rows.get(pk=pk), attname)),
            "values_list": describe(rows.filter(pk=pk).values_list(column.name, flat=True).get()),
            "matches": matches,
            "stored_text": stored_text(rows.filter(pk=pk), column),
        }
    return observed



def stored_text(row, column):
    """The stored value as the database itself writes it as text, or None where not compared."""
    from django.db.models import TextField
    from django.db.models.functions import Cast

    if not column.as_text:
        return None
    return row.values_list(Cast(column.name, output_field=TextField()), flat=True).get()


def main(database):
    import django
    from django.conf import settings

    settings.configure(
        DATABASES={"default": database_settings(database)},
        INSTALLED_APPS=[],
        USE_TZ=True,
        TIME_ZONE="UTC",
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    )
    django.setup()
    from django.db import connection, models

    matrix = define(models, APP_LABEL, __name__)
    with connection.schema_editor() as editor:
        existing = set(connection.introspection.table_names())
        for model in matrix.values():
            if model._meta.db_table in existing:  # left behind by an interrupted run
                editor.delete_model(model)
            editor.create_model(model)
    try:
        observed = {column_id(c): observe_column(matrix[c.model], c) for c in COLUMNS}
    finally:
        with connection.schema_editor() as editor:
            for model in matrix.values():
                editor.delete_model(model)
    json.dump({"django": django.get_version(), "vendor": connection.vendor, "columns": observed}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
