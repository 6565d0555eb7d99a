"""Shared by the adapter tests: the project's schema, made by Django; snapshots of every row
as Django and as teapot read them; and the data set both write (data.py)."""

from __future__ import annotations

import datetime

# The apps whose models are compared; "oddities" holds only models adapt() must refuse.
APPS = ("contenttypes", "auth", "accounts", "catalog", "orders", "social")
# Set on every save, so two writes of the same data differ there and nowhere else.
AUTO_NOW = {"updated"}


def django_models(include_proxies=True):
    """The project's Django models (swapped auth.User excluded, as Django does), in the
    registry's order."""
    from django.apps import apps

    return [
        model
        for model in apps.get_models()
        if model._meta.app_label in APPS and (include_proxies or not model._meta.proxy)
    ]


def all_tables():
    from django.apps import apps

    models = apps.get_models(include_auto_created=True)
    return sorted({model._meta.db_table for model in models if not model._meta.proxy})


def create_schema():
    from django.apps import apps
    from django.db import connection

    drop_schema()
    with connection.schema_editor() as editor:
        for model in apps.get_models():  # auto-created M2M tables come with their model
            if not model._meta.proxy:
                editor.create_model(model)


def drop_schema():
    """Drop the project's tables left by this or an interrupted run (server databases; the
    SQLite file is new in each run and removed after it)."""
    from django.db import connection

    if connection.vendor == "sqlite":
        return
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        if connection.vendor == "mysql":
            cursor.execute("SET FOREIGN_KEY_CHECKS = 0")  # tables refer to each other
        try:
            for table in all_tables():
                if table in existing:
                    cascade = " CASCADE" if connection.vendor == "postgresql" else ""
                    cursor.execute(f"DROP TABLE {connection.ops.quote_name(table)}{cascade}")
        finally:
            if connection.vendor == "mysql":
                cursor.execute("SET FOREIGN_KEY_CHECKS = 1")


def flush():
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command

    import teapot

    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
    # Both ORMs cache content types per process; the rows are gone, so are their ids.
    ContentType.objects.clear_cache()
    teapot.adapted(ContentType).objects.clear_cache()


def describe(value):
    """A value with its type, so that "1" and 1, or a naive and an aware datetime, differ."""
    if isinstance(value, datetime.datetime):
        return (type(value).__name__, value.isoformat())
    return (type(value).__name__, value)


def generic_foreign_keys(model):
    return [f for f in model._meta.private_fields if type(f).__name__ == "GenericForeignKey"]


def _row(obj, auto_now=True):
    meta = obj._meta
    row = {"pk": describe(obj.pk)}
    for field in meta.concrete_fields:
        if auto_now or field.name not in AUTO_NOW:
            row[field.attname] = describe(getattr(obj, field.attname))
    for gfk in generic_foreign_keys(type(obj)):
        target = getattr(obj, gfk.name)
        row[gfk.name] = None if target is None else (target._meta.label, describe(target.pk))
    return row


def _sort(rows):
    return sorted(rows, key=lambda row: repr(row["pk"]))


def django_snapshot(auto_now=True):
    """{model label: rows}, each row every concrete field, M2M keys and generic targets."""
    out = {}
    for model in django_models():
        rows = []
        for obj in model._base_manager.prefetch_related(*(f.name for f in generic_foreign_keys(model))):
            row = _row(obj, auto_now)
            for field in model._meta.many_to_many:
                keys = getattr(obj, field.name).values_list("pk", flat=True)
                row[field.name] = sorted((describe(k) for k in keys), key=repr)
            rows.append(row)
        out[model._meta.label] = _sort(rows)
    return out


async def teapot_snapshot(adapted, auto_now=True):
    """The same as django_snapshot, read by teapot's adapted models."""
    out = {}
    for dj_model in django_models():
        model = adapted[dj_model]
        rows = []
        for obj in await model._base_manager.prefetch_related(*(f.name for f in generic_foreign_keys(model))):
            row = _row(obj, auto_now)
            for field in model._meta.many_to_many:
                keys = await getattr(obj, field.name).values_list("pk", flat=True)
                row[field.name] = sorted((describe(k) for k in keys), key=repr)
            rows.append(row)
        out[dj_model._meta.label] = _sort(rows)
    return out


def first_difference(left, right):
    """A readable first difference between two snapshots, for assertion messages."""
    for label in sorted(set(left) | set(right)):
        a, b = left.get(label), right.get(label)
        if a == b:
            continue
        if a is None or b is None or len(a) != len(b):
            return f"{label}: {a!r} != {b!r}"
        for row_a, row_b in zip(a, b):
            if row_a != row_b:
                diff = {k: (row_a.get(k), row_b.get(k)) for k in set(row_a) | set(row_b) if row_a.get(k) != row_b.get(k)}
                return f"{label} row {row_a['pk']}: {diff}"
    return None
