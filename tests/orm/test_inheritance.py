"""Multi-table inheritance: a child's save, read, update and delete span two tables."""

import pytest

from tests.database.testapp.models import Place, Restaurant

pytestmark = pytest.mark.usefixtures("tables")


async def test_child_save_writes_parent_and_child_rows():
    luigi = await Restaurant.objects.create(name="Luigi", serves_pizza=True)
    assert await Place.objects.count() == 1
    place = await Place.objects.get(pk=luigi.pk)
    assert place.name == "Luigi"
    again = await Restaurant.objects.get(name="Luigi")
    assert (again.pk, again.serves_pizza) == (luigi.pk, True)


async def test_update_of_a_parent_field_through_the_child_queryset():
    # A related update: the child pks are read first, then each table is updated.
    await Restaurant.objects.create(name="Luigi", serves_pizza=True)
    await Restaurant.objects.create(name="Mario", serves_pizza=False)
    await Place.objects.create(name="Park")
    updated = await Restaurant.objects.filter(serves_pizza=True).update(name="Luigi's", serves_pizza=False)
    assert updated == 1
    assert sorted(await Place.objects.values_list("name", flat=True)) == ["Luigi's", "Mario", "Park"]
    assert await Restaurant.objects.filter(serves_pizza=True).count() == 0


async def test_parent_link_is_read_without_a_query():
    luigi = await Restaurant.objects.create(name="Luigi")
    loaded = await Restaurant.objects.get(pk=luigi.pk)
    assert loaded.place_ptr.name == "Luigi"


async def test_deleting_the_child_deletes_the_parent_row():
    luigi = await Restaurant.objects.create(name="Luigi")
    await Place.objects.create(name="Park")
    deleted, per_model = await luigi.delete()
    assert deleted == 2
    assert per_model == {"testapp.Restaurant": 1, "testapp.Place": 1}
    assert await Place.objects.values_list("name", flat=True) == ["Park"]



async def test_delete_of_children_read_with_their_parent_fields_deferred():
    # Collecting a child collects its parent object too: with the parent's fields
    # deferred it cannot be built from the child, and is fetched.
    await Restaurant.objects.create(name="Luigi", serves_pizza=True)
    await Restaurant.objects.create(name="Mario", serves_pizza=False)
    deleted, per_model = await Restaurant.objects.only("serves_pizza").filter(serves_pizza=True).delete()
    assert deleted == 2
    assert per_model == {"testapp.Place": 1, "testapp.Restaurant": 1}
    assert [r.name async for r in Restaurant.objects.all()] == ["Mario"]
    assert await Place.objects.count() == 1
