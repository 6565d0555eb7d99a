import uuid
from decimal import Decimal

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Count, F, Q

from tests.adapter.project.catalog.fields import Money, MoneyField
from tests.adapter.project.common import HAS_COMPOSITE_PK, TimeStamped, check, db_default


class Category(models.Model):
    name = models.CharField(max_length=60, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name


class Tag(models.Model):
    name = models.CharField(max_length=40)
    slug = models.SlugField(max_length=40, unique=True)

    class Meta:
        ordering = ["slug"]


class ProductQuerySet(models.QuerySet):
    def live(self):
        return self.filter(status=Product.Status.LIVE)

    def cheaper_than(self, amount):
        return self.filter(price__lt=amount)

    def with_tag_count(self):
        return self.annotate(tag_count=Count("tags"))

    def on_sale(self):
        # Q and F resolve to the ORM the model is bound to.
        return self.filter(Q(price__lt=F("list_price_amount")) | Q(status=Product.Status.CLEARANCE))


class Product(TimeStamped):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        LIVE = "live", "Live"
        CLEARANCE = "clearance", "Clearance"
        RETIRED = "retired", "Retired"

    sku = models.UUIDField(default=uuid.uuid4, unique=True)
    name = models.CharField(max_length=120)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    price = models.DecimalField(max_digits=10, decimal_places=2)
    list_price_amount = models.DecimalField(max_digits=10, decimal_places=2, null=True)
    list_price = MoneyField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, **db_default(Status.DRAFT))
    attributes = models.JSONField(default=dict, blank=True)
    weight_kg = models.FloatField(null=True)
    released_on = models.DateField(null=True)
    launch_window = models.DurationField(null=True)
    tags = models.ManyToManyField(Tag, related_name="products", blank=True)
    # The reverse of social.Like's generic key; DigitalProduct inherits it.
    likes = GenericRelation("social.Like", related_query_name="product")

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            check(Q(price__gte=0), "catalog_product_price_not_negative"),
            models.UniqueConstraint(fields=["category", "name"], name="catalog_product_unique_name"),
        ]
        indexes = [models.Index(fields=["status", "-created"], name="catalog_product_status_idx")]

    @property
    def is_live(self):
        return self.status == self.Status.LIVE

    def discounted(self, percent):
        return (self.price * (100 - Decimal(percent)) / 100).quantize(Decimal("0.01"))

    def list_money(self):
        return self.list_price or Money(self.price, "EUR")


class DigitalProduct(Product):
    download_url = models.URLField()
    size_bytes = models.BigIntegerField()
    licence_key = models.UUIDField(null=True)

    def size_mb(self):
        return round(self.size_bytes / 2**20, 1)


class LiveManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(status=Product.Status.LIVE)


class LiveProduct(Product):
    objects = LiveManager()

    class Meta:
        proxy = True
        ordering = ["-price"]

    def headline(self):
        return f"{self.name} now {self.price}"


class StockLevel(models.Model):
    if HAS_COMPOSITE_PK:
        pk = models.CompositePrimaryKey("product_id", "warehouse")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="stock")
    warehouse = models.CharField(max_length=20)
    quantity = models.PositiveIntegerField(default=0)
    counted_at = models.DateTimeField(null=True)

    class Meta:
        if not HAS_COMPOSITE_PK:
            unique_together = [("product", "warehouse")]
