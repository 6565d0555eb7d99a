"""Models with save() and delete() overrides and signal receivers: the ones teapot translates
and the ones it refuses, each for one reason. Only the tests of those adapt them (by class);
the round trip never does."""

from django.db import models
from django.db.models import F
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

# What notify_warehouse() was told, in order; the tests read and empty it.
WAREHOUSE_NOTES = []


def notify_warehouse(what):
    # Stands for a call into another system: teapot cannot tell what it does.
    WAREHOUSE_NOTES.append(what)


class TimeStampedModel(models.Model):
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def save(self, *args, update_fields=None, **kwargs):
        # auto_now only reaches the row for the columns being written.
        if update_fields is not None:
            update_fields = {*update_fields, "modified"}
        super().save(*args, update_fields=update_fields, **kwargs)


class Crate(TimeStampedModel):
    label = models.CharField(max_length=30)
    stock = models.IntegerField(default=0)


class Bin(models.Model):
    crate = models.ForeignKey(Crate, on_delete=models.CASCADE, related_name="bins")
    code = models.CharField(max_length=10)
    archived = models.BooleanField(default=False)

    def delete(self, *args, **kwargs):
        # A bin leaves its crate's stock with it.
        Crate.objects.filter(pk=self.crate_id).update(stock=F("stock") - 1)
        return super().delete(*args, **kwargs)


class Parcel(models.Model):
    crate = models.ForeignKey(Crate, on_delete=models.CASCADE, related_name="parcels")
    code = models.CharField(max_length=10)

    def save(self, *args, **kwargs):
        self.code = self.code.upper()
        super().save(*args, **kwargs)
        notify_warehouse(f"saved {self.code}")

    def delete(self, *args, **kwargs):
        if self.crate.label == "sealed":
            raise ValueError("parcels of a sealed crate stay")
        return super().delete(*args, **kwargs)


@receiver(pre_save, sender=Crate)
def tidy_crate_label(sender, instance, **kwargs):
    # No I/O: teapot connects it to its own Crate as it is.
    instance.label = " ".join(instance.label.split()).lower()


@receiver(post_save, sender=Bin)
def count_new_bin(sender, instance, created, **kwargs):
    # I/O through the ORM: teapot connects an async translation.
    if created:
        Crate.objects.filter(pk=instance.crate_id).update(stock=F("stock") + 1)


@receiver(post_delete, sender=Parcel)
def tell_warehouse_parcel_gone(sender, instance, **kwargs):
    # Calls code teapot cannot see: listed in a warning, not connected.
    notify_warehouse(f"deleted {instance.code}")
