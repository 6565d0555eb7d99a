"""Models the round trip never adapts: ones adapt() must refuse, and ones that only the tests
of particular adapter behaviour adapt (each by class)."""

from django.conf import settings
from django.db import models


class Gadget(models.Model):
    # Never adapted: a generic key pointing at a gadget names a model teapot does not have.
    name = models.CharField(max_length=20)


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


class Holder(models.Model):
    # Adaptable itself, but it needs Widget, which is not: adapt(Holder) must leave nothing.
    keeper = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="held")
    widget = models.ForeignKey(Widget, on_delete=models.CASCADE)


class Shelf(models.Model):
    name = models.CharField(max_length=20)


class ShelfLabel(models.Model):
    # Guards its shelf: a shelf with labels cannot be deleted. Hidden reverse accessor, as
    # Django's delete looks at those too.
    shelf = models.ForeignKey(Shelf, on_delete=models.PROTECT, related_name="+")
    text = models.CharField(max_length=20)


class ShelfLock(models.Model):
    shelf = models.ForeignKey(Shelf, on_delete=models.RESTRICT, related_name="locks")
