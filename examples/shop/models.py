from teapot.db import models

# The streamed table's width: its value columns (the primary key and tenant come on top).
READING_COLUMNS = 200


class Tenant(models.Model):
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        app_label = "shop"


class Customer(models.Model):
    tenant = models.ForeignKey(Tenant, models.CASCADE, related_name="customers")
    name = models.CharField(max_length=100)
    email = models.CharField(max_length=200)

    class Meta:
        app_label = "shop"


class Order(models.Model):
    STATUSES = ("open", "paid", "shipped")

    tenant = models.ForeignKey(Tenant, models.CASCADE, related_name="orders")
    customer = models.ForeignKey(Customer, models.PROTECT, related_name="orders")
    status = models.CharField(max_length=10, default="open")
    total = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    created_at = models.DateTimeField()

    class Meta:
        app_label = "shop"
        indexes = [models.Index(fields=["tenant", "created_at", "id"])]


class OrderLine(models.Model):
    order = models.ForeignKey(Order, models.CASCADE, related_name="lines")
    sku = models.CharField(max_length=32)
    quantity = models.IntegerField()
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        app_label = "shop"
        # Checked by the database at INSERT: a bad line fails its order's whole transaction.
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gt=0), name="shop_line_quantity_positive")]


def _reading_columns() -> dict:
    """Integers, floats and short text in turn, so the stream carries each kind of value."""
    kinds = (
        lambda: models.IntegerField(default=0),
        lambda: models.FloatField(default=0.0),
        lambda: models.CharField(max_length=12, default=""),
    )
    return {f"c{i:03d}": kinds[i % 3]() for i in range(READING_COLUMNS)}


# A wide table, built with type() so its 200 columns need not be spelled out.
Reading = type(
    "Reading",
    (models.Model,),
    {
        "__module__": __name__,
        "__doc__": "One row of a tenant's wide measurements table: what the streaming endpoints send.",
        "tenant": models.ForeignKey(Tenant, models.CASCADE, related_name="readings"),
        **_reading_columns(),
        "Meta": type("Meta", (), {"app_label": "shop"}),
    },
)

READING_FIELDS = ("id", "tenant_id", *(f"c{i:03d}" for i in range(READING_COLUMNS)))
