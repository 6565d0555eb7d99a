"""Django signal receivers of adapted models: one that does no I/O is connected to the teapot
class as it is, one whose I/O teapot can await is connected as an async translation, one that
calls code teapot cannot see is named in an AdaptWarning and not connected."""

import asyncio

from tests.adapter.project.hooks import models as hooks

PARCEL_RECEIVER_WARNING = (
    "tests.adapter.project.hooks.models.tell_warehouse_parcel_gone, a post_delete receiver of hooks.Parcel, "
    "is not connected to teapot's hooks.Parcel: it calls `notify_warehouse`, which teapot cannot see. "
    "Connect a receiver of your own to teapot.db.models.signals.post_delete for it."
)


def test_receiver_without_io_runs_on_teapot_saves(db, hooks_adaptation):
    adapted, _ = hooks_adaptation
    by_django = hooks.Crate.objects.create(label="  Big   BOX ")

    async def run():
        crate = await adapted.Crate.objects.create(label="  Big   BOX ")
        return crate.pk

    pk = asyncio.run(run())
    assert by_django.label == "big box"
    assert hooks.Crate.objects.get(pk=pk).label == by_django.label


def test_receiver_with_orm_io_runs_translated(db, hooks_adaptation):
    adapted, _ = hooks_adaptation
    crate = hooks.Crate.objects.create(label="counted")
    hooks.Bin.objects.create(crate=crate, code="D1")
    assert hooks.Crate.objects.get(pk=crate.pk).stock == 1

    async def run():
        await adapted.Bin.objects.create(crate_id=crate.pk, code="T1")
        made = adapted.Bin(crate_id=crate.pk, code="T2")
        await made.save()
        made.code = "T2b"
        await made.save()  # not created: not counted

    asyncio.run(run())
    assert hooks.Crate.objects.get(pk=crate.pk).stock == 3


def test_receivers_are_connected_with_the_teapot_sender(hooks_adaptation):
    from teapot.db.models.signals import post_delete, post_save, pre_save

    adapted, _ = hooks_adaptation
    assert pre_save.has_listeners(adapted.Crate) and post_save.has_listeners(adapted.Bin)
    assert not post_save.has_listeners(adapted.Crate) and not pre_save.has_listeners(adapted.Bin)
    assert not post_delete.has_listeners(adapted.Parcel)


def test_receiver_calling_unknown_code_is_listed_and_not_connected(db, hooks_adaptation):
    adapted, warned = hooks_adaptation
    assert PARCEL_RECEIVER_WARNING in warned
    crate = hooks.Crate.objects.create(label="gone")
    pk = hooks.Parcel.objects.create(crate=crate, code="p1").pk
    hooks.WAREHOUSE_NOTES.clear()

    async def run():
        # The Parcel.delete() override is refused too: teapot's own delete() runs.
        parcel = await adapted.Parcel.objects.get(pk=pk)
        return await parcel.delete()

    assert asyncio.run(run()) == (1, {"hooks.Parcel": 1})
    assert hooks.WAREHOUSE_NOTES == []
    hooks.Parcel.objects.create(crate=crate, code="p2").delete()
    assert hooks.WAREHOUSE_NOTES == ["saved P2", "deleted P2"]  # what Django does


def test_receiver_translations_can_be_printed(hooks_adaptation):
    import pytest

    from teapot.adapter import Untranslatable, translation_of

    assert translation_of(hooks.Bin, hooks.count_new_bin) == (
        "async def count_new_bin(sender, instance, created, **kwargs):\n"
        "    # I/O through the ORM: teapot connects an async translation.\n"
        "    if created:\n"
        '        await Crate.objects.filter(pk=instance.crate_id).update(stock=F("stock") + 1)\n'
    )
    assert translation_of(hooks.Crate, hooks.tidy_crate_label).startswith("def tidy_crate_label(sender, instance")
    with pytest.raises(Untranslatable):
        translation_of(hooks.Parcel, hooks.tell_warehouse_parcel_gone)
    with pytest.raises(LookupError):
        translation_of(hooks.Crate, hooks.count_new_bin)


def test_a_failed_adapt_disconnects_the_receivers_it_connected():
    from teapot.adapter.rollback import _Snapshot
    from teapot.db.models.signals import pre_save

    class Sender:
        pass

    snapshot = _Snapshot()
    pre_save.connect(lambda **kwargs: None, sender=Sender, weak=False)
    assert pre_save.has_listeners(Sender)
    snapshot.restore()
    assert not pre_save.has_listeners(Sender)
