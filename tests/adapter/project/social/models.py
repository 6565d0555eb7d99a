from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from tests.adapter.project.common import HAS_DB_ON_DELETE, TimeStamped, check


class Comment(TimeStamped):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    content_object = GenericForeignKey("content_type", "object_id")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments")
    body = models.TextField()
    rating = models.SmallIntegerField(null=True)

    class Meta:
        ordering = ["created"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="social_comment_target_idx")]

    def excerpt(self, length=20):
        return self.body if len(self.body) <= length else self.body[: length - 1] + "…"


class TaggedItem(models.Model):
    tag = models.ForeignKey("catalog.Tag", on_delete=models.CASCADE, related_name="tagged_items")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64)
    content_object = GenericForeignKey()

    class Meta:
        unique_together = [("tag", "content_type", "object_id")]


class Follow(models.Model):
    follower = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    followee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    since = models.DateTimeField(default=timezone.now)
    muted = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "followee"], name="social_follow_once"),
            check(~Q(follower=F("followee")), "social_follow_not_self"),
        ]


class Bookmark(models.Model):
    # A generic foreign key whose fields have names of their own.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookmarks")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64)
    target = GenericForeignKey("content_type", "object_id")
    note = models.CharField(max_length=200, blank=True)


class Like(models.Model):
    # A generic key whose object id has the type of the products' keys, so that joins across
    # Product.likes (a GenericRelation) compare like with like on every database.
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="likes")
    weight = models.SmallIntegerField(default=1)

    class Meta:
        ordering = ["pk"]


if HAS_DB_ON_DELETE:

    class Thread(models.Model):
        title = models.CharField(max_length=40)

    class Post(models.Model):
        # Django 6.1: the database deletes a thread's posts and clears the replies' reply_to.
        thread = models.ForeignKey(Thread, on_delete=models.DB_CASCADE, related_name="posts")
        reply_to = models.ForeignKey("self", null=True, on_delete=models.DB_SET_NULL, related_name="replies")
        body = models.CharField(max_length=80)
