"""Overrides of django.db.backends.mysql.introspection: asyncmy's field type constants."""

from asyncmy.constants import FIELD_TYPE  # noqa: F401
