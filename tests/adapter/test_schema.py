"""The tables teapot's schema editor makes for an adapted model are the tables Django makes
for the model itself: the same statements, in the same order, on each database."""

import asyncio

import pytest

from tests.adapter.support import django_models

# Proxies have no table of their own; every other model (auto-created M2M tables come with
# the model that declares the field) is compared.
MODELS = [model for model in django_models() if not model._meta.proxy]


def test_every_model_of_the_project_is_adapted(adaptation, m):
    import django.db.models

    import teapot.db.models

    four_apps, _, registered = adaptation
    assert {model._meta.app_label for model in four_apps} == {"accounts", "catalog", "orders", "social"}
    # Adapting the four apps brought in the contrib models they relate to.
    assert {"auth.Group", "auth.Permission", "contenttypes.ContentType"} <= registered
    assert {model._meta.label for model in m} == {model._meta.label for model in django_models()}
    for model in m:
        assert issubclass(model, teapot.db.models.Model) and not issubclass(model, django.db.models.Model)


def django_ddl(model):
    from django.db import connection

    with connection.schema_editor(collect_sql=True) as editor:
        editor.create_model(model)
    return editor.collected_sql


async def teapot_ddl(model):
    from teapot.db import connection

    async with connection.schema_editor(collect_sql=True) as editor:
        await editor.create_model(model)
    return editor.collected_sql


@pytest.mark.parametrize("model", MODELS, ids=[model._meta.label for model in MODELS])
def test_create_model_ddl_matches_django(m, model):
    expected = django_ddl(model)
    assert expected  # the comparison means nothing if nothing was collected
    assert asyncio.run(teapot_ddl(m[model])) == expected


def test_auto_created_through_tables_are_compared():
    # The M2M tables are part of their model's statements above; make sure each is there.
    from django.apps import apps

    through = [model for model in apps.get_models(include_auto_created=True) if model._meta.auto_created]
    tables = {model._meta.db_table for model in through}
    assert {"catalog_product_tags", "accounts_team_members", "accounts_user_groups", "auth_group_permissions"} <= tables
    statements = "\n".join(sql for model in MODELS for sql in django_ddl(model))
    for table in tables:
        assert table in statements
