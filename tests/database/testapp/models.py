from teapot.db import models


class Author(models.Model):
    name = models.CharField(max_length=100, unique=True)
    age = models.IntegerField(default=0)

    class Meta:
        ordering = ["name"]


class Book(models.Model):
    title = models.CharField(max_length=200)
    pages = models.IntegerField(default=0)
    author = models.ForeignKey(Author, models.CASCADE, related_name="books")
    tags = models.ManyToManyField("Tag", related_name="books")
    data = models.JSONField(default=dict)


class Tag(models.Model):
    name = models.CharField(max_length=50)


class Profile(models.Model):
    author = models.OneToOneField(Author, models.CASCADE, related_name="profile")
    bio = models.TextField(default="")


class Loan(models.Model):
    """SET_NULL and SET_DEFAULT: deleting the book or the lender keeps the loan."""

    book = models.ForeignKey(Book, models.SET_NULL, null=True, related_name="loans")
    lender = models.ForeignKey(Author, models.SET_DEFAULT, null=True, default=None, related_name="loans")


class Category(models.Model):
    name = models.CharField(max_length=50)
    parent = models.ForeignKey("self", models.CASCADE, null=True, related_name="children")


class Event(models.Model):
    name = models.CharField(max_length=50)
    day = models.DateField()
    at = models.DateTimeField()

    class Meta:
        get_latest_by = "day"
        constraints = [models.UniqueConstraint(fields=["name", "day"], name="unique_event_per_day")]


class Place(models.Model):
    name = models.CharField(max_length=50)


class Restaurant(Place):
    """Multi-table inheritance: a Restaurant row joins its Place row."""

    serves_pizza = models.BooleanField(default=False)


class Measure(models.Model):
    """Decimal, float and timestamp values for the functions the backend registers."""

    value = models.DecimalField(max_digits=10, decimal_places=3)
    ratio = models.FloatField(default=0.0)
    at = models.DateTimeField(null=True)


class Note(models.Model):
    """A field that fills itself when saved (auto_now) and one that the database fills."""

    text = models.CharField(max_length=100)
    written = models.DateTimeField(auto_now=True)
    stars = models.IntegerField(db_default=3)


class Chapter(models.Model):
    """Kept in the order of its book's chapters (an ``_order`` column): get_next_in_order()."""

    book = models.ForeignKey(Book, models.CASCADE, related_name="chapters")
    title = models.CharField(max_length=100)

    class Meta:
        order_with_respect_to = "book"
