"""Pieces the apps share: an abstract base with fields and methods, and version gates."""

import django
from django.db import models
from django.utils import timezone

HAS_DB_DEFAULT = django.VERSION >= (5, 0)
HAS_COMPOSITE_PK = django.VERSION >= (5, 2)
HAS_DB_ON_DELETE = django.VERSION >= (6, 1)  # DB_CASCADE, DB_SET_NULL, DB_SET_DEFAULT


def check(condition, name):
    """CheckConstraint's keyword is condition= from Django 5.1 on (check= before)."""
    if django.VERSION >= (5, 1):
        return models.CheckConstraint(condition=condition, name=name)
    return models.CheckConstraint(check=condition, name=name)


def db_default(value):
    return {"db_default": value} if HAS_DB_DEFAULT else {"default": value}


class TimeStamped(models.Model):
    created = models.DateTimeField(default=timezone.now, db_index=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        get_latest_by = "created"

    def touched_after(self, moment):
        return self.updated > moment

    @property
    def age_days(self):
        return (timezone.now() - self.created).days
