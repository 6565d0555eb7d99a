import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q, Sum

from tests.adapter.project.common import check


class OrderQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=[Order.Status.NEW, Order.Status.PAID])

    def for_customer(self, user):
        return self.filter(customer=user)

    def with_quantity(self):
        return self.annotate(quantity=Sum("lines__quantity"))


class OrderManager(models.Manager):
    def big(self, threshold):
        return self.get_queryset().filter(total__gte=threshold)


class Order(models.Model):
    class Status(models.IntegerChoices):
        NEW = 1
        PAID = 2
        SHIPPED = 3
        CANCELLED = 9

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    number = models.PositiveIntegerField()
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="orders")
    status = models.PositiveSmallIntegerField(choices=Status.choices, default=Status.NEW)
    placed_at = models.DateTimeField()
    total = models.DecimalField(max_digits=12, decimal_places=2)
    notes = models.JSONField(null=True, blank=True)
    products = models.ManyToManyField("catalog.Product", through="OrderLine", related_name="orders")

    objects = OrderManager.from_queryset(OrderQuerySet)()

    class Meta:
        ordering = ["-placed_at"]
        unique_together = [("customer", "number")]
        constraints = [
            # One unpaid order per customer. A partial index: MySQL has none, so there it is
            # not created, by Django and teapot alike. (Not on a model with a db_default:
            # Django 5.2 then defers the constraint's SQL and emits "None" on MySQL.)
            models.UniqueConstraint(fields=["customer"], condition=Q(status=1), name="orders_one_new_order"),
        ]
        indexes = [models.Index(fields=["customer", "status"], name="orders_customer_status_idx")]

    def is_open(self):
        return self.status in (self.Status.NEW, self.Status.PAID)


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="order_lines")
    quantity = models.PositiveSmallIntegerField(default=1)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        unique_together = [("order", "product")]
        constraints = [check(Q(quantity__gt=0), "orders_orderline_quantity_positive")]

    @property
    def subtotal(self):
        return self.quantity * self.unit_price


class Shipment(models.Model):
    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="shipment")
    carrier = models.CharField(max_length=30)
    tracking_code = models.CharField(max_length=40, unique=True)
    shipped_at = models.DateTimeField(null=True)

    def save(self, *args, **kwargs):
        # Carriers print codes in upper case; lookups must match them.
        self.tracking_code = self.tracking_code.upper()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("shipments are kept for the records")
