"""Code a project writes around its models, which must type-check as it stands (mypy, strict:
tests/typing/test_mypy.py): custom managers and querysets, custom fields, functions and
lookups, abstract models. Never imported: its models belong to no installed app."""

from __future__ import annotations

from typing import Any, Self, assert_type

from teapot.db import models
from teapot.db.models import Func, Lookup


class PublishedQuerySet(models.QuerySet["Article"]):
    def published(self) -> Self:
        return self.filter(published=True)


class ArticleManager(models.Manager["Article"]):
    def get_queryset(self) -> PublishedQuerySet:
        return PublishedQuerySet(self.model, using=self._db)


class Upper(Func):
    function = "UPPER"
    output_field = models.CharField()


class NotEqual(Lookup):
    lookup_name = "ne"


class LowerCaseField(models.CharField):
    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return value.lower() if isinstance(value, str) else value


class Stamped(models.Model):
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class Article(Stamped):
    title = LowerCaseField(max_length=100)
    published = models.BooleanField(default=False)
    objects = ArticleManager()
    every = models.Manager()

    def __str__(self) -> str:
        return str(self.title)  # a field's value is Any


async def use() -> None:
    assert_type(await Article.objects.get_queryset().published().first(), Article | None)
    assert_type(await Article.every.get(pk=1), Any)
    article = await Article.objects.create(title="Dune")
    assert_type(article, Article)
    assert_type(article.created, Any)
    assert_type(article.get_title_display(), Any)
    try:
        await Article.objects.get(title="Emma")
    except Article.DoesNotExist:
        pass
    await Article.objects.annotate(shout=Upper("title")).filter(title__ne="x").aexists()
