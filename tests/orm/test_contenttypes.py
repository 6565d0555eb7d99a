"""teapot.contrib.contenttypes: ContentType's async manager, GenericForeignKey and
GenericRelation (tests/database/genericapp)."""

from contextlib import contextmanager

import pytest

import teapot
from teapot.contrib.contenttypes.models import ContentType
from teapot.contrib.contenttypes.prefetch import GenericPrefetch
from teapot.db import connection, transaction
from teapot.db.models import Count, Prefetch, Sum, aprefetch_related_objects
from teapot.errors import AwaitRequired
from tests.database.genericapp.models import Animal, Note, Pet, ProxyTag, TaggedItem, Vegetable
from tests.database.harness import drop_leftover_tables, tables_of

MODELS = (ContentType, Animal, Vegetable, TaggedItem, Note, ProxyTag)


@pytest.fixture(autouse=True)
async def generic_tables(pool_settings):
    # Content type ids change with every new table: the cache must not outlive it.
    async with tables_of(MODELS, ContentType.objects.clear_cache):
        yield


@contextmanager
def queries():
    """The SQL statements run inside the block."""
    seen = []

    def record(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield seen


async def zoo():
    """A lion (tagged hairy, yellow), a frog (green) and a carrot (orange)."""
    lion = await Animal.objects.create(name="Lion", legs=4)
    frog = await Animal.objects.create(name="Frog", legs=4)
    carrot = await Vegetable.objects.create(name="Carrot")
    await lion.tags.create(tag="hairy")
    await lion.tags.create(tag="yellow")
    await frog.tags.create(tag="green")
    await carrot.tags.create(tag="orange")
    return lion, frog, carrot


# ContentTypeManager


async def test_leftover_tables_are_dropped_while_another_leftover_references_them():
    # An interrupted run can leave a table of another module that references
    # django_content_type; MySQL refuses a plain DROP of a referenced table.
    async with teapot.connection() as conn:
        async with conn.cursor() as cursor:
            await cursor.execute(
                "CREATE TABLE stray_reference (id INTEGER PRIMARY KEY, content_type_id INTEGER,"
                " FOREIGN KEY (content_type_id) REFERENCES django_content_type (id))"
            )
    try:
        await drop_leftover_tables(MODELS, connection)
        remaining = set(await connection.introspection.table_names())
        assert not remaining & {model._meta.db_table for model in MODELS}
    finally:
        async with teapot.connection() as conn:
            async with conn.cursor() as cursor:
                await cursor.execute("DROP TABLE stray_reference")
        await drop_leftover_tables(MODELS, connection)
        async with connection.schema_editor() as editor:  # for the fixture's teardown
            for model in MODELS:
                await editor.create_model(model)


async def test_get_for_model_creates_the_row_then_reads_the_cache():
    with queries() as first:
        ct = await ContentType.objects.get_for_model(Animal)
    assert (ct.app_label, ct.model) == ("genericapp", "animal")
    assert ct.model_class() is Animal
    assert len(first) >= 2  # a get() that found nothing, then get_or_create()
    with queries() as second:
        assert await ContentType.objects.get_for_model(Animal) is ct
        assert await ContentType.objects.get_for_model(Animal()) is ct  # an instance works too
    assert second == []
    assert await ContentType.objects.acount() == 1


async def test_get_for_model_reads_an_existing_row():
    row = await ContentType.objects.create(app_label="genericapp", model="vegetable")
    ct = await ContentType.objects.get_for_model(Vegetable)
    assert ct.pk == row.pk
    assert await ContentType.objects.count() == 1


async def test_proxy_models_and_for_concrete_model():
    concrete = await ContentType.objects.get_for_model(Pet)
    assert concrete.model == "animal"
    proxy = await ContentType.objects.get_for_model(Pet, for_concrete_model=False)
    assert proxy.model == "pet" and proxy.pk != concrete.pk
    assert proxy.model_class() is Pet


async def test_get_for_models_mixes_cache_database_and_new_rows():
    cached = await ContentType.objects.get_for_model(Animal)
    stored = await ContentType.objects.create(app_label="genericapp", model="vegetable")
    ContentType.objects.clear_cache()
    await ContentType.objects.get_for_model(Animal)
    with queries() as run:
        found = await ContentType.objects.get_for_models(Animal, Vegetable, TaggedItem, Pet)
    assert found[Animal].pk == cached.pk
    assert found[Pet].pk == cached.pk
    assert found[Vegetable].pk == stored.pk
    assert found[TaggedItem].model == "taggeditem"
    assert len(run) == 2  # one SELECT for the missing ones, one INSERT for TaggedItem
    both = await ContentType.objects.get_for_models(Pet, Animal, for_concrete_models=False)
    assert both[Pet].model == "pet" and both[Animal].pk == cached.pk
    assert await ContentType.objects.count() == 4


async def test_get_for_id_and_get_by_natural_key_use_the_cache():
    ct = await ContentType.objects.get_for_model(Animal)
    ContentType.objects.clear_cache()
    by_id = await ContentType.objects.get_for_id(ct.pk)
    assert by_id == ct
    with queries() as run:
        assert await ContentType.objects.get_for_id(ct.pk) is by_id
        assert await ContentType.objects.get_by_natural_key("genericapp", "animal") is by_id
        assert await ContentType.objects.get_for_model(Animal) is by_id
    assert run == []
    ContentType.objects.clear_cache()
    natural = await ContentType.objects.get_by_natural_key("genericapp", "animal")
    assert natural.pk == ct.pk and natural.natural_key() == ("genericapp", "animal")
    with pytest.raises(ContentType.DoesNotExist):
        await ContentType.objects.get_for_id(ct.pk + 1000)
    with pytest.raises(ContentType.DoesNotExist):
        await ContentType.objects.get_by_natural_key("genericapp", "nothing")


async def test_objects_for_this_type():
    lion, frog, _ = await zoo()
    ct = await ContentType.objects.get_for_model(Animal)
    assert await ct.get_object_for_this_type(name="Lion") == lion
    assert await ct.get_object_for_this_type(using="default", pk=frog.pk) == frog
    with pytest.raises(Animal.DoesNotExist):
        await ct.get_object_for_this_type(name="Emu")
    many = ct.get_all_objects_for_this_type(legs=4)  # a queryset, lazy like Django's
    assert sorted([a.name async for a in many]) == ["Frog", "Lion"]
    assert str(ct) == "Genericapp | animal" and ct.name == "animal"
    stale = await ContentType.objects.create(app_label="genericapp", model="gone")
    assert stale.model_class() is None and stale.name == "gone"


async def test_app_config():
    from teapot.apps import apps

    config = apps.get_app_config("contenttypes")
    assert config.name == "teapot.contrib.contenttypes"
    assert ContentType._meta.db_table == "django_content_type"
    assert ContentType._meta.pk.get_internal_type() == "AutoField"


# GenericForeignKey


async def test_create_with_content_object_whose_type_is_not_cached():
    lion = await Animal.objects.create(name="Lion")
    item = await TaggedItem.objects.create(content_object=lion, tag="hairy")
    ct = await ContentType.objects.get_for_model(Animal)
    assert (item.content_type_id, item.object_id) == (ct.pk, lion.pk)
    assert item.content_object is lion
    row = await TaggedItem.objects.get(pk=item.pk)
    assert (row.content_type_id, row.object_id) == (ct.pk, lion.pk)


async def test_assignment_with_a_cached_type_sets_both_columns_at_once():
    lion = await Animal.objects.create(name="Lion")
    ct = await ContentType.objects.get_for_model(Animal)
    item = TaggedItem(tag="hairy")
    item.content_object = lion
    assert (item.content_type, item.object_id) == (ct, lion.pk)
    assert item.content_object is lion
    await item.save()
    frog = await Animal.objects.create(name="Frog")
    item.content_object = frog
    await item.asave()
    assert (await TaggedItem.objects.get(pk=item.pk)).object_id == frog.pk


async def test_bulk_create_resolves_assigned_objects():
    lion = await Animal.objects.create(name="Lion")
    carrot = await Vegetable.objects.create(name="Carrot")
    await TaggedItem.objects.bulk_create(
        [TaggedItem(content_object=lion, tag="a"), TaggedItem(content_object=carrot, tag="b")]
    )
    items = await TaggedItem.objects.prefetch_related("content_object")
    assert [(i.tag, i.content_object) for i in items] == [("a", lion), ("b", carrot)]


async def test_unsaved_object_is_refused():
    item = TaggedItem(tag="x", content_object=Animal(name="Ghost"))
    with pytest.raises(ValueError, match="unsaved related object 'content_object'"):
        await item.save()


async def test_reading_an_unloaded_generic_foreign_key_raises_await_required():
    lion, _, _ = await zoo()
    item = await TaggedItem.objects.get(tag="hairy")
    with pytest.raises(AwaitRequired, match="prefetch_related\\('content_object'\\)"):
        item.content_object
    await aprefetch_related_objects([item], "content_object")
    assert item.content_object == lion



async def test_prefetching_a_stale_generic_foreign_key_reads_the_new_object():
    lion, frog, _ = await zoo()
    item = await TaggedItem.objects.get(tag="hairy")
    await aprefetch_related_objects([item], "content_object")
    assert item.content_object == lion
    item.object_id = frog.pk
    item.content_type = await ContentType.objects.get_for_model(frog)
    with pytest.raises(AwaitRequired):
        item.content_object
    await aprefetch_related_objects([item], "content_object")
    assert item.content_object == frog


async def test_prefetch_content_object_over_several_models():
    lion, frog, carrot = await zoo()
    ContentType.objects.clear_cache()
    with queries() as run:
        items = await TaggedItem.objects.prefetch_related("content_object")
    # The tagged items, two content types, then one query per model.
    assert len(run) == 5
    assert {i.tag: i.content_object for i in items} == {
        "green": frog, "hairy": lion, "orange": carrot, "yellow": lion
    }
    assert items[1].content_object is items[3].content_object  # hairy and yellow: one Lion


async def test_prefetch_content_object_with_custom_querysets():
    await zoo()
    items = await TaggedItem.objects.prefetch_related(
        Prefetch("content_object", Animal.objects.filter(name="Lion").only("name")),
    ).order_by("tag")
    found = {i.tag: i.content_object for i in items}
    assert found["hairy"].name == "Lion" and found["hairy"].get_deferred_fields() == {"legs"}
    assert found["green"] is None  # the custom queryset left the frog out
    assert found["orange"].name == "Carrot"  # other models use their base manager


async def test_generic_prefetch_takes_a_queryset_per_model():
    await zoo()
    items = await TaggedItem.objects.prefetch_related(
        GenericPrefetch(
            "content_object",
            [Animal.objects.filter(legs=4).only("name"), Vegetable.objects.filter(name="Beet")],
        )
    ).order_by("tag")
    found = {i.tag: i.content_object for i in items}
    assert found["hairy"].name == "Lion" and found["hairy"].get_deferred_fields() == {"legs"}
    assert found["orange"] is None
    with pytest.raises(ValueError, match="values"):
        GenericPrefetch("content_object", [Animal.objects.values("name")])
    with pytest.raises(ValueError, match="Only one queryset is allowed for each content type"):
        await TaggedItem.objects.prefetch_related(
            GenericPrefetch("content_object", [Animal.objects.all(), Pet.objects.all()])
        )


async def test_nullable_generic_foreign_key_and_missing_targets():
    lion = await Animal.objects.create(name="Lion")
    empty = await Note.objects.create(text="nothing")
    assert empty.about is None
    gone = await Animal.objects.create(name="Gone")
    await Note.objects.create(text="lion", about=lion)
    await Note.objects.create(text="gone", about=gone)
    await Animal.objects.filter(pk=gone.pk).delete()
    notes = await Note.objects.prefetch_related("about").order_by("text")
    assert [(n.text, n.about) for n in notes] == [("gone", None), ("lion", lion), ("nothing", None)]
    fresh = await Note.objects.get(text="nothing")
    assert fresh.about is None  # no content type: nothing to load
    fresh.about = lion
    fresh.about = None
    assert (fresh.content_type_id, fresh.object_id, fresh.about) == (None, None, None)


async def test_proxy_content_type_kept_with_for_concrete_model_false():
    lion = await Animal.objects.create(name="Lion")
    pet = await Pet.objects.get(pk=lion.pk)
    tag = await ProxyTag.objects.create(tag="cute", content_object=pet)
    assert (await ContentType.objects.get_for_id(tag.content_type_id)).model == "pet"
    loaded = await ProxyTag.objects.prefetch_related("content_object").aget(pk=tag.pk)
    assert type(loaded.content_object) is Pet
    plain = await TaggedItem.objects.create(tag="x", content_object=pet)
    assert (await ContentType.objects.get_for_id(plain.content_type_id)).model == "animal"


# GenericRelation


async def test_filter_across_a_generic_relation_both_ways():
    lion, frog, carrot = await zoo()
    for cold in (True, False):  # with and without the content types in the cache
        if cold:
            ContentType.objects.clear_cache()
        assert [a.name async for a in Animal.objects.filter(tags__tag="hairy")] == ["Lion"]
        assert [a.name async for a in Animal.objects.exclude(tags__tag="green")] == ["Lion"]
        assert await Vegetable.objects.filter(tags__tag__startswith="o").acount() == 1
        # A vegetable's tag never matches an animal with the same id.
        assert await Animal.objects.filter(tags__tag="orange").count() == 0
        names = [t.tag async for t in TaggedItem.objects.filter(animal__name="Lion")]
        assert names == ["hairy", "yellow"]
        assert await TaggedItem.objects.filter(animal__legs=4).count() == 3


async def test_aggregation_across_a_generic_relation():
    lion, frog, carrot = await zoo()
    ContentType.objects.clear_cache()
    counts = await Animal.objects.annotate(n=Count("tags")).values_list("name", "n").order_by("name")
    assert list(counts) == [("Frog", 1), ("Lion", 2)]
    assert await Animal.objects.aggregate(total=Count("tags")) == {"total": 3}
    totals = await Vegetable.objects.annotate(n=Count("tags")).aggregate(s=Sum("n"))
    assert totals == {"s": 1}
    busy = [a.name async for a in Animal.objects.annotate(n=Count("tags")).filter(n__gt=1).order_by("name")]
    assert busy == ["Lion"]


async def test_related_manager_reads():
    lion, frog, carrot = await zoo()
    ContentType.objects.clear_cache()
    fresh = await Animal.objects.get(pk=lion.pk)
    assert [t.tag async for t in fresh.tags.all()] == ["hairy", "yellow"]
    assert await fresh.tags.acount() == 2
    assert await fresh.tags.filter(tag="yellow").aexists()
    assert (await fresh.tags.aget(tag="hairy")).object_id == lion.pk
    assert [t.tag async for t in carrot.tags.all()] == ["orange"]


async def test_related_manager_create_get_or_create_update_or_create():
    lion = await Animal.objects.create(name="Lion")
    ContentType.objects.clear_cache()
    fresh = await Animal.objects.get(pk=lion.pk)
    item = await fresh.tags.create(tag="hairy")
    ct = await ContentType.objects.get_for_model(Animal)
    assert (item.content_type_id, item.object_id) == (ct.pk, lion.pk)
    same, created = await fresh.tags.get_or_create(tag="hairy")
    assert (same.pk, created) == (item.pk, False)
    other, created = await fresh.tags.aget_or_create(tag="big")
    assert created and other.object_id == lion.pk
    updated, created = await fresh.tags.update_or_create(tag="big", defaults={"tag": "huge"})
    assert (updated.pk, created, updated.tag) == (other.pk, False, "huge")
    _, created = await fresh.tags.aupdate_or_create(tag="new")
    assert created
    made = await fresh.tags.acreate(tag="zzz")
    assert [t.tag async for t in lion.tags.all()] == ["hairy", "huge", "new", "zzz"]
    assert made.object_id == lion.pk
    with pytest.raises(AwaitRequired):
        made.content_object  # the manager sets the columns, not the cache (as in Django)


async def test_related_manager_add_remove_clear_set():
    lion, frog, carrot = await zoo()
    green = await TaggedItem.objects.get(tag="green")
    await lion.tags.add(green)
    assert [t.tag async for t in lion.tags.all()] == ["green", "hairy", "yellow"]
    assert await frog.tags.count() == 0
    loose = await TaggedItem.objects.create(tag="loose", content_object=carrot)
    await lion.tags.aadd(loose, bulk=False)
    assert (await TaggedItem.objects.get(pk=loose.pk)).object_id == lion.pk
    with pytest.raises(ValueError, match="isn't saved"):
        await lion.tags.add(TaggedItem(tag="new"))
    with pytest.raises(TypeError, match="'TaggedItem' instance expected"):
        await lion.tags.add(lion)

    await lion.tags.remove(green)
    assert not await TaggedItem.objects.filter(pk=green.pk).aexists()  # removing deletes
    await lion.tags.aremove(loose, bulk=False)
    assert [t.tag async for t in lion.tags.all()] == ["hairy", "yellow"]

    hairy = await TaggedItem.objects.get(tag="hairy")
    fresh = await TaggedItem.objects.create(tag="fresh", content_object=frog)
    await lion.tags.set([hairy, fresh])
    assert [t.tag async for t in lion.tags.all()] == ["fresh", "hairy"]
    await lion.tags.set(lion.tags.filter(tag="fresh"))  # a queryset, read before any write
    assert [t.tag async for t in lion.tags.all()] == ["fresh"]
    await TaggedItem.objects.create(tag="spare", content_object=carrot)
    await lion.tags.set(TaggedItem.objects.filter(tag__in=["fresh", "spare"]))
    assert [t.tag async for t in lion.tags.all()] == ["fresh", "spare"]
    # clear() deletes the tags (a generic relation's objects cannot exist unattached); with
    # bulk=False, add() saves hairy again.
    await lion.tags.aset([hairy], clear=True, bulk=False)
    assert [t.tag async for t in lion.tags.all()] == ["hairy"]
    assert not await TaggedItem.objects.filter(tag="fresh").aexists()

    await lion.tags.clear()
    assert await lion.tags.count() == 0
    await carrot.tags.aclear(bulk=False)
    assert await TaggedItem.objects.count() == 0


async def test_related_manager_writes_inside_a_transaction():
    lion = await Animal.objects.create(name="Lion")
    with pytest.raises(RuntimeError):
        async with transaction.atomic():
            await lion.tags.create(tag="doomed")
            raise RuntimeError
    assert await TaggedItem.objects.count() == 0


async def test_prefetch_related_over_a_generic_relation():
    lion, frog, carrot = await zoo()
    ContentType.objects.clear_cache()
    with queries() as run:
        animals = await Animal.objects.prefetch_related("tags")
    assert len(run) == 3  # animals, the content type, the tags
    assert [[t.tag for t in a.tags.all()] for a in animals] == [["green"], ["hairy", "yellow"]]
    with queries() as run:
        assert animals[1].tags.all()[0].tag == "hairy"
        assert await animals[1].tags.count() == 2  # the prefetched list, no query
    assert run == []
    vegetables = await Vegetable.objects.prefetch_related(
        Prefetch("tags", TaggedItem.objects.filter(tag__startswith="x"), to_attr="x_tags")
    )
    assert vegetables[0].x_tags == []


async def test_prefetch_both_ways_through_the_generic_relation():
    await zoo()
    items = await TaggedItem.objects.prefetch_related("content_object__tags").order_by("tag")
    assert [[t.tag for t in i.content_object.tags.all()] for i in items] == [
        ["green"], ["hairy", "yellow"], ["orange"], ["hairy", "yellow"]
    ]


async def test_delete_cascades_through_the_generic_relation():
    lion, frog, carrot = await zoo()
    ContentType.objects.clear_cache()
    deleted, per_model = await Animal.objects.filter(name="Lion").delete()
    assert deleted == 3 and per_model == {"genericapp.Animal": 1, "genericapp.TaggedItem": 2}
    assert sorted([t.tag async for t in TaggedItem.objects.all()]) == ["green", "orange"]
    await carrot.adelete()
    assert [t.tag async for t in TaggedItem.objects.all()] == ["green"]
    # Deleting a content type deletes what points at it (ForeignKey CASCADE).
    ct = await ContentType.objects.get_for_model(Animal)
    await ct.delete()
    assert await TaggedItem.objects.count() == 0
    assert await Animal.objects.count() == 1


async def test_conformance_worker_creates_the_content_types_up_front():
    from tools.conformance.worker import create_content_types

    await ContentType.objects.get_for_model(Animal)
    assert await create_content_types(["default"]) == []
    rows = {(ct.app_label, ct.model) async for ct in ContentType.objects.all()}
    assert {("genericapp", "animal"), ("genericapp", "vegetable"), ("contenttypes", "contenttype")} <= rows
    assert await ContentType.objects.filter(app_label="genericapp", model="animal").count() == 1
    assert await create_content_types(["default"]) == []  # nothing new the second time
    assert {(ct.app_label, ct.model) async for ct in ContentType.objects.all()} == rows


# Generic inline formsets (teapot.contrib.contenttypes.forms)


async def test_generic_inline_formset_is_built_without_a_query_and_awaited_for_its_objects():
    from teapot.contrib.contenttypes.forms import generic_inlineformset_factory

    lion, frog, _ = await zoo()
    ContentType.objects.clear_cache()
    TagFormSet = generic_inlineformset_factory(TaggedItem, fields=["tag"], extra=1)
    with queries() as seen:
        TagFormSet(instance=lion, prefix="tags")
    assert seen == []
    formset = await TagFormSet(instance=lion, prefix="tags")
    assert [form.instance.tag for form in formset.initial_forms] == ["hairy", "yellow"]
    assert len(formset.forms) == 3
    data = {"tags-TOTAL_FORMS": "1", "tags-INITIAL_FORMS": "0", "tags-0-tag": "slimy"}
    bound = await TagFormSet(data, instance=frog, prefix="tags")
    assert await bound.is_valid() is True
    [saved] = await bound.save()
    animal_type = await ContentType.objects.get_for_model(Animal)
    assert (saved.tag, saved.object_id, saved.content_type_id) == ("slimy", frog.pk, animal_type.pk)
    assert sorted([t.tag async for t in frog.tags.all()]) == ["green", "slimy"]
