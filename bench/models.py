"""The benchmark's models, declared once for both ORMs: bench/teapot_app/models.py calls
``declare(teapot.db.models, ...)``, bench/django_app/models.py ``declare(django.db.models, ...)``,
so the two ORMs have the same fields on the same tables and run the same SQL on the same rows.

Unmanaged: bench/schema.py creates the tables."""

from __future__ import annotations

import types

from bench import config, rows


def declare(models, module: str) -> types.SimpleNamespace:
    """Model classes built from ``models`` (teapot's or Django's models module); ``module``
    is the models module of the app they belong to."""

    def meta(table: str):
        return type("Meta", (), {"db_table": table, "managed": False})

    def model(name: str, table: str, fields: dict):
        return type(name, (models.Model,), {"__module__": module, "Meta": meta(table), **fields})

    item = model("Item", "bench_item", {
        "name": models.CharField(max_length=100),
        "qty": models.IntegerField(db_index=True),
        "price": models.DecimalField(max_digits=10, decimal_places=2),
        "created": models.DateTimeField(),
        "flag": models.BooleanField(),
        "note": models.TextField(null=True),
    })
    wide_fields = {"id": models.IntegerField(primary_key=True)}
    for number, column in enumerate(rows.wide_columns(config.WIDE_COLUMNS), start=1):
        kind = rows.wide_column_kind(number)
        if kind == "int":
            wide_fields[column] = models.IntegerField()
        elif kind == "varchar":
            wide_fields[column] = models.CharField(max_length=64)
        else:
            wide_fields[column] = models.FloatField()
    wide = model("Wide", "bench_wide", wide_fields)
    author = model("Author", "bench_author", {"name": models.CharField(max_length=100)})
    tag = model("Tag", "bench_tag", {"name": models.CharField(max_length=50)})
    book = model("Book", "bench_book", {
        "title": models.CharField(max_length=200),
        "author": models.ForeignKey(author, models.CASCADE, related_name="books"),
        # The automatic through table: bench_book_tags (id, book_id, tag_id).
        "tags": models.ManyToManyField(tag, related_name="books", db_table="bench_book_tags"),
    })
    return types.SimpleNamespace(Item=item, Wide=wide, Author=author, Tag=tag, Book=book)
