"""Django and teapot on the same tables in one process: what one writes the other reads, field
by field, model by model; relations load the teapot way.

Django's ORM is sync and refuses to run inside an event loop, so the tests are sync functions
and run teapot's side with asyncio.run()."""

import asyncio

import pytest

from tests.adapter.data import ALICE, BOB, CAROL, write_with_django, write_with_teapot
from tests.adapter.project.common import HAS_COMPOSITE_PK
from tests.adapter.support import django_models, django_snapshot, first_difference, flush, teapot_snapshot


def test_django_writes_teapot_reads(db, m):
    write_with_django()
    expected = django_snapshot()
    empty = [label for label, rows in expected.items() if not rows]
    assert not empty, f"the data set leaves {empty} without rows"
    got = asyncio.run(teapot_snapshot(m))
    assert got == expected, first_difference(expected, got)


def test_teapot_writes_django_reads(db, m):
    asyncio.run(write_with_teapot(m))
    written = asyncio.run(teapot_snapshot(m))
    assert all(written.values())
    read = django_snapshot()
    assert read == written, first_difference(written, read)


def test_teapot_writes_the_rows_django_writes(db, m):
    asyncio.run(write_with_teapot(m))
    by_teapot = django_snapshot(auto_now=False)
    flush()
    write_with_django()
    by_django = django_snapshot(auto_now=False)
    assert by_teapot == by_django, first_difference(by_django, by_teapot)


def test_relations_load_the_teapot_way(db, m):
    from teapot.db.models import aprefetch_related_objects
    from teapot.errors import AwaitRequired

    write_with_django()

    async def run():
        order = await m.Order.objects.select_related("customer__profile").get(customer__username="alice")
        assert order.customer.id == ALICE
        assert order.customer.profile.tier == m.Profile.Tier.PRO
        plain = await m.Order.objects.get(pk=order.pk)
        with pytest.raises(AwaitRequired):
            plain.customer

        lines = await m.OrderLine.objects.select_related("product__category", "order").order_by("pk")
        assert [(line.product.name, line.product.category.name, line.order.number) for line in lines] == [
            ("Dune", "Science fiction", 1),
            ("Atlas", "Books", 1),
        ]
        assert [p.name for p in await order.products.all()] == ["Dune"]

        products = await m.Product.objects.prefetch_related("tags").order_by("pk")
        assert {p.name: sorted(t.slug for t in p.tags.all()) for p in products} == {
            "Dune": ["new", "sale"],
            "Atlas": [],
            "Manual": ["sale"],
            "Foundation": [],
        }

        # Multi-table inheritance: the parent's fields on the child, the child from the parent.
        manual = await m.DigitalProduct.objects.select_related("category").get(name="Manual")
        assert (manual.category.name, manual.price, manual.size_mb()) == ("Books", 0, 6144.0)
        parent = await m.Product.objects.select_related("digitalproduct").get(pk=manual.pk)
        assert parent.digitalproduct.download_url == "https://example.com/manual.pdf"

        # M2M through another app's model, both directions.
        bob = await m.User.objects.get(pk=BOB)
        assert await bob.following.values_list("username", flat=True) == ["carol"]
        assert await bob.followers.values_list("username", flat=True) == ["alice"]
        assert sorted(await m.Team.objects.filter(members=bob).values_list("name", flat=True)) == ["readers"]

        # Generic foreign keys: not loaded, then prefetched, then by prefetch_related.
        comments = await m.Comment.objects.order_by("pk")
        with pytest.raises(AwaitRequired):
            comments[0].content_object
        await aprefetch_related_objects(comments, "content_object")
        targets = [(type(c.content_object)._meta.label, c.content_object.pk) for c in comments]
        assert targets == [
            ("catalog.Product", 1),
            ("accounts.User", CAROL),
            ("orders.Order", order.pk),
            ("catalog.DigitalProduct", manual.pk),
        ]
        assert all(isinstance(c.content_object, m[type(c.content_object)._meta.label]) for c in comments)
        items = await m.TaggedItem.objects.prefetch_related("content_object", "tag").order_by("pk")
        assert [(i.tag.slug, type(i.content_object).__name__) for i in items] == [("new", "User"), ("sale", "OrderLine")]

        if HAS_COMPOSITE_PK:
            stock = await m.StockLevel.objects.get(pk=(1, "HEL"))
            assert (stock.pk, stock.quantity) == ((1, "HEL"), 4)
        dune = await m.Product.objects.get(pk=1)
        assert sorted(await dune.stock.values_list("warehouse", flat=True)) == ["BER", "HEL"]

    asyncio.run(run())


def test_content_types_are_the_same_rows(db, m):
    from django.contrib.contenttypes.models import ContentType

    write_with_django()
    expected = {model._meta.label: ContentType.objects.get_for_model(model).pk for model in django_models()}

    async def run():
        TeapotContentType = m[ContentType]
        got = {}
        for model in django_models():
            got[model._meta.label] = (await TeapotContentType.objects.get_for_model(m[model])).pk
        ct = await TeapotContentType.objects.get(pk=expected["catalog.Product"])
        return got, ct.model_class()

    got, model_class = asyncio.run(run())
    assert got == expected
    assert model_class is m["catalog.Product"]


def test_generic_key_assigned_without_its_content_type_gets_it_at_save(db, m):
    from django.contrib.contenttypes.models import ContentType

    write_with_django()
    product_type = ContentType.objects.get_for_model(catalog_models().Product).pk

    async def run():
        m[ContentType].objects.clear_cache()
        dune = await m.Product.objects.get(name="Dune")
        alice = await m.User.objects.get(pk=ALICE)
        comment = m.Comment(content_object=dune, author=alice, body="uncached")
        assert comment.content_type_id is None  # reading it would need a query
        await comment.save()
        return comment.pk, comment.content_type_id

    pk, type_id = asyncio.run(run())
    assert type_id == product_type
    from tests.adapter.project.social.models import Comment

    assert Comment.objects.get(pk=pk).content_object.name == "Dune"


def catalog_models():
    from tests.adapter.project.catalog import models

    return models
