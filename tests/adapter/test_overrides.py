"""save() and delete() overrides of Django models: carried over as an async def where adding
awaits is all it takes, and behaving as on Django; left out with an AdaptWarning naming the
model, the method and the reason otherwise."""

import asyncio
import datetime

import pytest

from tests.adapter.project.hooks import models as hooks

LONG_AGO = datetime.datetime(2001, 1, 1, tzinfo=datetime.timezone.utc)

CRATE_SAVE = '''\
async def save(self, *args, update_fields=None, **kwargs):
    # auto_now only reaches the row for the columns being written.
    if update_fields is not None:
        update_fields = {*update_fields, "modified"}
    await super().save(*args, update_fields=update_fields, **kwargs)
'''

BIN_DELETE = '''\
async def delete(self, *args, **kwargs):
    # A bin leaves its crate's stock with it.
    await Crate.objects.filter(pk=self.crate_id).update(stock=F("stock") - 1)
    return await super().delete(*args, **kwargs)
'''

PARCEL_SAVE_WARNING = (
    "hooks.Parcel.save() is overridden in Parcel and is not carried over: it calls `notify_warehouse`, "
    "which teapot cannot see. Put its logic around `await obj.save()`, in a signal receiver on the "
    "teapot model, or in an async subclass."
)
PARCEL_DELETE_WARNING = (
    "hooks.Parcel.delete() is overridden in Parcel and is not carried over: it reads `self.crate`, "
    "a related object, which teapot loads only when awaited. Put its logic around `await obj.delete()`, "
    "in a signal receiver on the teapot model, or in an async subclass."
)


def test_update_fields_save_writes_modified_as_in_django(db, hooks_adaptation):
    # The seed case: TimeStampedModel.save() adds "modified" to update_fields.
    adapted, _ = hooks_adaptation
    crate = hooks.Crate.objects.create(label="tools", stock=1)
    hooks.Crate.objects.filter(pk=crate.pk).update(modified=LONG_AGO)  # update() leaves auto_now alone
    crate.stock = 2
    crate.save(update_fields=["stock"])
    by_django = hooks.Crate.objects.values_list("stock", "modified").get(pk=crate.pk)
    assert by_django[0] == 2 and by_django[1] > LONG_AGO

    hooks.Crate.objects.filter(pk=crate.pk).update(modified=LONG_AGO)

    async def run():
        teapot_crate = await adapted.Crate.objects.get(pk=crate.pk)
        teapot_crate.stock = 3
        await teapot_crate.save(update_fields=["stock"])
        return teapot_crate.modified

    in_memory = asyncio.run(run())
    stock, modified = hooks.Crate.objects.values_list("stock", "modified").get(pk=crate.pk)
    assert stock == 3 and modified > LONG_AGO and modified == in_memory


def test_translations_can_be_printed(hooks_adaptation):
    from teapot.adapter import translation_of

    assert translation_of(hooks.Crate, "save") == CRATE_SAVE
    assert translation_of(hooks.Bin, "delete") == BIN_DELETE
    assert translation_of(hooks.Crate, "save") == translation_of(hooks.TimeStampedModel, "save")


def test_translated_methods_are_coroutines_of_the_teapot_class(hooks_adaptation):
    import inspect

    adapted, _ = hooks_adaptation
    for model, name in ((adapted.Crate, "save"), (adapted.Bin, "delete")):
        method = getattr(model, name)
        assert inspect.iscoroutinefunction(method)
        # Not teapot's own: the project's code, from the project's file.
        assert method.__code__.co_filename == hooks.__file__


def test_delete_override_with_an_orm_update_runs_as_in_django(db, hooks_adaptation):
    adapted, _ = hooks_adaptation
    crate = hooks.Crate.objects.create(label="bins", stock=10)
    django_bin = hooks.Bin.objects.create(crate=crate, code="A1")
    teapot_bin_pk = hooks.Bin.objects.create(crate=crate, code="A2").pk
    hooks.Crate.objects.filter(pk=crate.pk).update(stock=10)  # leave out the receiver's counting
    assert django_bin.delete() == (1, {"hooks.Bin": 1})
    assert hooks.Crate.objects.get(pk=crate.pk).stock == 9

    async def run():
        teapot_bin = await adapted.Bin.objects.get(pk=teapot_bin_pk)
        return await teapot_bin.delete()

    assert asyncio.run(run()) == (1, {"hooks.Bin": 1})
    assert hooks.Crate.objects.get(pk=crate.pk).stock == 8
    assert not hooks.Bin.objects.exists()


def test_save_calling_unknown_code_is_refused_with_the_reason(db, hooks_adaptation):
    adapted, warned = hooks_adaptation
    assert PARCEL_SAVE_WARNING in warned
    crate = hooks.Crate.objects.create(label="parcels")
    hooks.WAREHOUSE_NOTES.clear()

    async def run():
        parcel = adapted.Parcel(crate_id=crate.pk, code="lower")
        await parcel.save()  # teapot's own save(): the override is not there
        return parcel.pk

    pk = asyncio.run(run())
    assert hooks.Parcel.objects.get(pk=pk).code == "lower"
    assert hooks.WAREHOUSE_NOTES == []


def test_delete_reading_a_relation_is_refused_with_the_reason(hooks_adaptation):
    from teapot.adapter import Untranslatable, translation_of

    _, warned = hooks_adaptation
    assert PARCEL_DELETE_WARNING in warned
    with pytest.raises(Untranslatable) as info:
        translation_of(hooks.Parcel, "delete")
    assert info.value.reason == "it reads `self.crate`, a related object, which teapot loads only when awaited"
    with pytest.raises(LookupError):
        translation_of(hooks.Bin, "save")


def test_only_the_refused_overrides_and_receivers_are_warned_about(hooks_adaptation):
    _, warned = hooks_adaptation
    assert sorted(warned) == sorted(
        [
            PARCEL_SAVE_WARNING,
            PARCEL_DELETE_WARNING,
            "tests.adapter.project.hooks.models.tell_warehouse_parcel_gone, a post_delete receiver of "
            "hooks.Parcel, is not connected to teapot's hooks.Parcel: it calls `notify_warehouse`, which "
            "teapot cannot see. Connect a receiver of your own to teapot.db.models.signals.post_delete for it.",
        ]
    )
