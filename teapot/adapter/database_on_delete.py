"""Django 6.1's database-level ``on_delete`` (``DB_CASCADE``, ``DB_SET_NULL``,
``DB_SET_DEFAULT``) for adapted models. Hand-written.

teapot's fork is Django 5.2, which has no such handlers. With them the database acts, not
Django's collector: the foreign key's DDL carries ``ON DELETE <operation>`` and a delete
collects nothing through that key (no query, no signals for the rows the database removes or
changes). teapot keeps both halves: its collector skips a handler that has ``on_delete_sql``
(tools/codemod/overrides/db/models/deletion.py) and its schema editor writes the clause
(tools/codemod/rules/database_on_delete.py).
"""

from __future__ import annotations


class DatabaseOnDelete:
    """An ``on_delete`` value the database carries out; calling it collects nothing."""

    def __init__(self, operation: str, name: str):
        self.operation = operation
        self.__name__ = name

    def __call__(self, collector, field, sub_objs, using):
        return None

    def on_delete_sql(self, schema_editor) -> str:
        return f" ON DELETE {self.operation}"

    def deconstruct(self):
        return (f"{__name__}.{self.__name__}", (), {})

    def __repr__(self):
        return self.__name__


DB_CASCADE = DatabaseOnDelete("CASCADE", "DB_CASCADE")
DB_SET_DEFAULT = DatabaseOnDelete("SET DEFAULT", "DB_SET_DEFAULT")
DB_SET_NULL = DatabaseOnDelete("SET NULL", "DB_SET_NULL")

BY_NAME = {handler.__name__: handler for handler in (DB_CASCADE, DB_SET_DEFAULT, DB_SET_NULL)}


def twin_of(value):
    """teapot's handler for Django's ``DB_*`` value ``value``; None for anything else."""
    cls = type(value)
    if cls.__name__ != "DatabaseOnDelete" or not cls.__module__.startswith("django."):
        return None
    return BY_NAME.get(getattr(value, "__name__", None))
