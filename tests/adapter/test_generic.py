"""Generic relations on adapted models: Product.likes (a GenericRelation to social.Like) queried,
aggregated, written, prefetched and deleted through, compared with Django; the content types
are the fork's; a generic key to a model nobody adapted says so."""

import asyncio

import pytest

from tests.adapter.data import ALICE, BOB, CAROL, write_with_django
from tests.adapter.project.catalog import models as catalog
from tests.adapter.project.social import models as social


def test_content_type_and_generic_fields_are_the_forks(m):
    from django.contrib.contenttypes.models import ContentType

    from teapot.contrib.contenttypes import fields as fork_fields
    from teapot.contrib.contenttypes.models import ContentType as ForkContentType

    assert m[ContentType] is ForkContentType
    assert isinstance(m.Comment._meta.get_field("content_object"), fork_fields.GenericForeignKey)
    likes = m.Product._meta.get_field("likes")
    assert isinstance(likes, fork_fields.GenericRelation)
    assert likes.remote_field.model is m.Like
    # The generic key's content type field points at the one ContentType class.
    assert m.Like._meta.get_field("content_type").remote_field.model is ForkContentType


def _queries(Product, Like, DigitalProduct, Count, Sum):
    """The same queries across Product.likes, for either ORM."""
    return {
        "liked by bob": Product.objects.filter(likes__user_id=BOB).values_list("name", flat=True),
        "never liked": Product.objects.filter(likes__isnull=True).order_by("name").values_list("name", flat=True),
        "like counts": Product.objects.annotate(n=Count("likes")).order_by("name").values_list("name", "n"),
        "weights": Product.objects.annotate(w=Sum("likes__weight")).order_by("name").values_list("name", "w"),
        "excluded": Product.objects.exclude(likes__user_id=ALICE).order_by("name").values_list("name", flat=True),
        "by query name": Like.objects.filter(product__name="Dune").order_by("user__username").values_list(
            "user__username", flat=True
        ),
        "digital": DigitalProduct.objects.filter(likes__weight__gte=2).values_list("name", flat=True),
    }


def test_filters_and_aggregates_across_a_generic_relation(db, m):
    from django.db.models import Count, Sum

    import teapot.db.models as tm

    write_with_django()
    expected = {
        name: list(qs)
        for name, qs in _queries(catalog.Product, social.Like, catalog.DigitalProduct, Count, Sum).items()
    }
    expected["totals"] = catalog.Product.objects.aggregate(weight=Sum("likes__weight"), likes=Count("likes"))
    # Nothing trivial: Manual's likes are a DigitalProduct's, so Product.likes does not see them.
    assert expected["liked by bob"] == ["Dune"] and expected["digital"] == ["Manual"]
    assert ("Dune", 2) in expected["like counts"] and ("Manual", 0) in expected["like counts"]
    assert expected["totals"] == {"weight": 5, "likes": 3}

    async def run():
        got = {
            name: list(await qs)
            for name, qs in _queries(m.Product, m.Like, m.DigitalProduct, tm.Count, tm.Sum).items()
        }
        got["totals"] = await m.Product.objects.aggregate(weight=tm.Sum("likes__weight"), likes=tm.Count("likes"))
        return got

    assert asyncio.run(run()) == expected


def test_generic_related_manager_reads_and_writes(db, m):
    from django.contrib.contenttypes.models import ContentType

    write_with_django()
    foundation_like = social.Like.objects.get(object_id=catalog.Product.objects.get(name="Foundation").pk)

    async def run():
        m[ContentType].objects.clear_cache()  # the manager must find the content type itself
        dune = await m.Product.objects.get(name="Dune")
        atlas = await m.Product.objects.get(name="Atlas")
        before = [(like.user_id, like.weight) for like in await dune.likes.all()]
        carol = await m.User.objects.get(pk=CAROL)
        created = await dune.likes.create(user=carol, weight=7)
        moved = await m.Like.objects.get(pk=foundation_like.pk)
        await atlas.likes.add(moved)
        counts = (await dune.likes.count(), await atlas.likes.count())
        heavy = await dune.likes.filter(weight__gt=2).order_by("weight").values_list("weight", flat=True)
        return before, created.pk, counts, heavy

    before, created_pk, counts, heavy = asyncio.run(run())
    assert before == [(ALICE, 1), (BOB, 3)]
    assert counts == (3, 1) and heavy == [3, 7]
    # Django reads what the related manager wrote.
    assert social.Like.objects.get(pk=created_pk).target.name == "Dune"
    assert social.Like.objects.get(pk=foundation_like.pk).target.name == "Atlas"
    assert list(catalog.Product.objects.get(name="Atlas").likes.values_list("weight", flat=True)) == [1]


def test_generic_related_manager_remove_and_clear(db, m):
    write_with_django()

    async def run():
        dune = await m.Product.objects.get(name="Dune")
        alices = await dune.likes.get(user_id=ALICE)
        await dune.likes.remove(alices)  # the generic side has no null key: the row goes
        after_remove = await dune.likes.count()
        manual = await m.DigitalProduct.objects.get(name="Manual")
        await manual.likes.clear()
        return after_remove, await m.Like.objects.count()

    assert asyncio.run(run()) == (1, 2)
    assert sorted(social.Like.objects.values_list("weight", flat=True)) == [1, 3]


def test_prefetch_across_a_generic_relation(db, m):
    from django.db.models import Prefetch

    import teapot.db.models as tm

    write_with_django()

    def summary(products):
        return {p.name: sorted((like.weight, like.user_id) for like in p.likes.all()) for p in products}

    expected = summary(catalog.Product.objects.prefetch_related("likes"))
    heavy = summary(
        catalog.Product.objects.prefetch_related(Prefetch("likes", queryset=social.Like.objects.filter(weight__gt=1)))
    )
    assert expected["Dune"] == [(1, ALICE), (3, BOB)] and heavy["Dune"] == [(3, BOB)]

    async def run():
        plain = summary(await m.Product.objects.prefetch_related("likes"))
        filtered = summary(
            await m.Product.objects.prefetch_related(tm.Prefetch("likes", queryset=m.Like.objects.filter(weight__gt=1)))
        )
        digital = summary(await m.DigitalProduct.objects.prefetch_related("likes"))
        return plain, filtered, digital

    plain, filtered, digital = asyncio.run(run())
    assert (plain, filtered) == (expected, heavy)
    assert digital == summary(catalog.DigitalProduct.objects.prefetch_related("likes")) == {"Manual": [(2, CAROL)]}


def test_delete_cascades_to_the_generic_side_as_in_django(db, m):
    import django.db

    write_with_django()
    manual_pk = catalog.DigitalProduct.objects.get(name="Manual").pk

    class Undo(Exception):
        pass

    try:
        with django.db.transaction.atomic():
            by_django = catalog.DigitalProduct.objects.get(pk=manual_pk).delete()
            raise Undo
    except Undo:
        pass
    assert by_django[1].get("social.Like") == 1

    async def run():
        manual = await m.DigitalProduct.objects.get(pk=manual_pk)
        return await manual.delete()

    assert asyncio.run(run()) == by_django
    assert sorted(social.Like.objects.values_list("weight", flat=True)) == [1, 1, 3]


def test_generic_key_to_a_model_not_adapted_says_how_to_adapt_it(db, m):
    from django.contrib.contenttypes.models import ContentType

    from teapot.adapter import NotAdapted
    from teapot.apps import apps as teapot_apps
    from teapot.db.models import aprefetch_related_objects
    from tests.adapter.project.oddities.models import Gadget

    write_with_django()
    gadget = Gadget.objects.create(name="gizmo")
    social.Comment.objects.create(content_object=gadget, author_id=ALICE, body="About a gadget")

    async def run():
        comments = await m.Comment.objects.filter(body="About a gadget")
        with pytest.raises(NotAdapted) as prefetching:
            await aprefetch_related_objects(comments, "content_object")
        content_type = await m[ContentType].objects.get(app_label="oddities", model="gadget")
        with pytest.raises(NotAdapted) as model_class:
            content_type.model_class()
        with pytest.raises(NotAdapted):
            await content_type.get_object_for_this_type(pk=gadget.pk)
        stale = await m[ContentType].objects.create(app_label="gone", model="nothing")
        return prefetching.value, model_class.value, str(content_type), stale.model_class()

    prefetching, model_class, name, stale = asyncio.run(run())
    for error in (prefetching, model_class):
        assert "oddities.Gadget" in str(error) and "teapot.adapt('oddities.Gadget')" in str(error)
        assert isinstance(error, LookupError)
    assert name == "gadget"  # its name does not need the class
    assert stale is None  # a content type no registry knows is stale, as in Django
    with pytest.raises(LookupError):
        teapot_apps.get_model("oddities", "Gadget")  # nothing was adapted behind the caller's back
