"""Model classes of a Django newer than the fork's (5.2): what teapot maps and what it refuses.

Django 6.1's database-level on_delete is mapped (the database acts, and teapot's DDL says so
as Django's does); a database object the fork lacks is refused at adapt time, naming it."""

import asyncio

import django
import pytest

from tests.adapter.data import write_with_django
from tests.adapter.project.common import HAS_DB_ON_DELETE

needs_db_on_delete = pytest.mark.skipif(not HAS_DB_ON_DELETE, reason="DB_CASCADE and its kin came with Django 6.1")


@needs_db_on_delete
def test_database_on_delete_handlers_are_teapot_handlers(m):
    from teapot.adapter.database_on_delete import DB_CASCADE, DB_SET_NULL

    assert m.Post._meta.get_field("thread").remote_field.on_delete is DB_CASCADE
    assert m.Post._meta.get_field("reply_to").remote_field.on_delete is DB_SET_NULL


@needs_db_on_delete
def test_the_foreign_key_ddl_says_on_delete_as_django_does(m):
    from tests.adapter.project.social.models import Post
    from tests.adapter.test_schema import django_ddl, teapot_ddl

    ddl = "\n".join(asyncio.run(teapot_ddl(m.Post)))
    assert "ON DELETE CASCADE" in ddl and "ON DELETE SET NULL" in ddl
    assert asyncio.run(teapot_ddl(m.Post)) == django_ddl(Post)


@needs_db_on_delete
def test_the_database_carries_out_the_delete_as_with_django(db, m):
    from tests.adapter.project.social.models import Post, Thread
    from tests.adapter.support import flush

    def state():
        return sorted(Post.objects.values_list("body", "reply_to__body"))

    objects = write_with_django()
    by_django = Post.objects.get(pk=objects["post1"].pk).delete(), state()
    by_django += (Thread.objects.get(pk=objects["thread1"].pk).delete(), state())

    flush()
    objects = write_with_django()

    async def delete_first_post():
        return await (await m.Post.objects.get(pk=objects["post1"].pk)).delete()

    first = asyncio.run(delete_first_post())
    after_first = state()
    second = asyncio.run(m.Thread.objects.filter(pk=objects["thread1"].pk).delete())
    by_teapot = (first, after_first, second, state())

    # Deleting the first post cleared the reply's reply_to (SET NULL by the database, not
    # counted); deleting the thread removed its posts (CASCADE by the database, not counted).
    assert by_django == ((1, {"social.Post": 1}), [("Foundation.", None)], (1, {"social.Thread": 1}), [])
    assert by_teapot == by_django


@pytest.mark.skipif(django.VERSION < (6, 1), reason="JSONNull came with Django 6.1")
def test_a_database_object_the_fork_lacks_is_refused_and_nothing_stays():
    from django.apps.registry import Apps
    from django.db import models

    import teapot
    from teapot.adapter import AdaptError
    from teapot.apps import apps as teapot_apps

    class Preference(models.Model):
        data = models.JSONField(null=True, db_default=models.JSONNull())

        class Meta:
            app_label = "oddities"
            apps = Apps()

    before = {model._meta.label for model in teapot_apps.get_models()}
    with pytest.raises(AdaptError) as info:
        teapot.adapt(Preference)
    assert (info.value.model, info.value.field) == ("oddities.Preference", "data")
    assert "django.db.models.JSONNull has no counterpart in teapot" in str(info.value)
    assert f"Django {teapot.get_version()}" in str(info.value)
    assert {model._meta.label for model in teapot_apps.get_models()} == before


def test_translate_refuses_a_database_object_without_twin_and_keeps_others():
    # Under every Django: a made-up deconstructible at a django.db path is refused; Django's
    # own objects elsewhere keep their twin (a validator), or stay as they are where teapot
    # keeps Django's by design (contrib.auth's username validator).
    from django.contrib.auth.validators import UnicodeUsernameValidator
    from django.core.validators import MaxValueValidator

    from teapot.adapter.translate import translate
    from teapot.adapter.twins import NoTwin

    class FromTheFuture:
        def deconstruct(self):
            return ("django.db.models.FromTheFuture", (), {})

    with pytest.raises(NoTwin, match="django.db.models.FromTheFuture has no counterpart"):
        translate(FromTheFuture())
    limit = translate(MaxValueValidator(3))
    assert type(limit).__module__ == "teapot.core.validators" and limit.limit_value == 3
    username = UnicodeUsernameValidator()
    assert translate(username) is username
