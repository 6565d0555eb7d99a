"""The schema editors' foreign-key templates, with Django 6.1's ON DELETE slot. Hand-written.

tools/codemod/rules/database_on_delete.py puts ``%(on_delete_db)s`` in the foreign-key
templates and wraps them in ``ForeignKeyTemplate``. The editor fills the slot where it formats
them; code that formats a template with Django 5.2's keys only (Django's own schema tests do)
gets an empty slot, as if the slot were not there.
"""

from __future__ import annotations


class ForeignKeyTemplate(str):
    """A ``%``-template whose ``on_delete_db`` key defaults to ""."""

    __slots__ = ()

    def __mod__(self, values):
        if isinstance(values, dict) and "on_delete_db" not in values:
            values = {**values, "on_delete_db": ""}
        return str.__mod__(self, values)
