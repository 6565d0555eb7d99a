"""Models the adapter must refuse. The round trip never adapts this app; each error test
adapts one of them by class."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models


class Gadget(models.Model):
    name = models.CharField(max_length=20)
    comments = GenericRelation("social.Comment")


class OwnerKey(models.ForeignKey):
    # A relation field class of the project's own: its joins cannot be delegated.
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("on_delete", models.CASCADE)
        super().__init__(settings.AUTH_USER_MODEL, *args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("to", None)
        return name, path, args, kwargs


class Widget(models.Model):
    name = models.CharField(max_length=20)
    owner = OwnerKey()
