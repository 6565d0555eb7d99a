"""Models with generic relations (contrib.contenttypes), for tests/orm/test_contenttypes.py."""

from teapot.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from teapot.contrib.contenttypes.models import ContentType
from teapot.db import models


class TaggedItem(models.Model):
    tag = models.SlugField()
    content_type = models.ForeignKey(ContentType, models.CASCADE)
    object_id = models.PositiveIntegerField()
    content_object = GenericForeignKey()

    class Meta:
        ordering = ["tag", "pk"]


class Note(models.Model):
    """A generic foreign key that may point nowhere."""

    text = models.CharField(max_length=50)
    content_type = models.ForeignKey(ContentType, models.CASCADE, null=True)
    object_id = models.PositiveIntegerField(null=True)
    about = GenericForeignKey("content_type", "object_id")


class Animal(models.Model):
    name = models.CharField(max_length=50)
    legs = models.IntegerField(default=4)
    tags = GenericRelation(TaggedItem, related_query_name="animal")

    class Meta:
        ordering = ["name"]


class Vegetable(models.Model):
    name = models.CharField(max_length=50)
    tags = GenericRelation(TaggedItem)


class Pet(Animal):
    """A proxy: its tags use Animal's content type, as for_concrete_model says."""

    class Meta:
        proxy = True


class ProxyTag(models.Model):
    """Tags that keep a proxy's own content type (for_concrete_model=False)."""

    tag = models.CharField(max_length=50)
    content_type = models.ForeignKey(ContentType, models.CASCADE)
    object_id = models.PositiveIntegerField()
    content_object = GenericForeignKey(for_concrete_model=False)
