"""What an adapted model keeps of its Django model besides the table: managers and querysets,
methods and properties, constraints, the custom field; and what adapt() refuses or warns about."""

import asyncio
import datetime
import warnings
from decimal import Decimal

import pytest

from tests.adapter.data import ALICE, BOB, write_with_django
from tests.adapter.project.catalog import models as catalog
from tests.adapter.project.catalog.fields import Money
from tests.adapter.project.orders import models as orders


def test_access_by_name_label_and_class(m):
    import teapot
    from teapot.apps import apps as teapot_apps

    assert m.Product is m["catalog.Product"] is m[catalog.Product] is teapot.adapted(catalog.Product)
    assert teapot_apps.get_model("catalog.Product") is m.Product
    for dj_model in (catalog.Product, catalog.StockLevel, orders.Order):
        model = m[dj_model]
        assert (model.__name__, model._meta.app_label, model._meta.db_table) == (
            dj_model.__name__,
            dj_model._meta.app_label,
            dj_model._meta.db_table,
        )
    assert teapot.adapt(catalog.Product).Product is m.Product  # adapting again gives the same class
    assert m.LiveProduct._meta.proxy and m.LiveProduct._meta.concrete_model is m.Product
    assert m.DigitalProduct._meta.get_field("product_ptr").remote_field.model is m.Product


def test_fields_are_teapot_fields_of_the_same_kind(m):
    import django.db.models

    import teapot.db.models as tm

    for dj_model in (catalog.Product, orders.Order):
        for dj_field in dj_model._meta.get_fields(include_hidden=True):
            field = m[dj_model]._meta.get_field(dj_field.name)
            assert isinstance(field, (tm.Field, tm.ForeignObjectRel)), (dj_model, dj_field.name, type(field))
            assert not isinstance(field, (django.db.models.Field, django.db.models.ForeignObjectRel))
            if dj_field.concrete:
                assert (field.column, field.null) == (dj_field.column, dj_field.null)
    assert isinstance(m.Product._meta.pk, tm.BigAutoField)  # the project's DEFAULT_AUTO_FIELD
    assert isinstance(m.Order._meta.pk, tm.UUIDField)
    list_price = m.Product._meta.get_field("list_price")
    assert isinstance(list_price, tm.CharField) and list_price.max_length == 32


def test_custom_field_values_and_lookups(db, m):
    write_with_django()

    async def run():
        dune = await m.Product.objects.get(list_price=Money(Decimal("14.50"), "EUR"))
        assert dune.list_price == Money(Decimal("14.50"), "EUR")
        dune.list_price = "15.00 EUR"  # to_python/get_prep_value parse text, as on Django
        await dune.save()
        assert await m.Product.objects.filter(list_price="15.00 EUR").count() == 1
        return dune.pk

    pk = asyncio.run(run())
    assert catalog.Product.objects.get(pk=pk).list_price == Money(Decimal("15.00"), "EUR")


def test_custom_queryset_and_manager_methods(db, m):
    write_with_django()
    from tests.adapter.project.accounts.models import User

    alice = User.objects.get(pk=ALICE)
    django_side = {
        "live": sorted(catalog.Product.objects.live().values_list("name", flat=True)),
        "cheap": sorted(catalog.Product.objects.cheaper_than(10).values_list("name", flat=True)),
        "tag_count": sorted(catalog.Product.objects.with_tag_count().values_list("name", "tag_count")),
        "on_sale": sorted(catalog.Product.objects.on_sale().values_list("name", flat=True)),
        "proxy": list(catalog.LiveProduct.objects.values_list("name", flat=True)),
        "big": sorted(orders.Order.objects.big(100).values_list("number", "customer__username")),
        "open": list(orders.Order.objects.open().for_customer(alice).values_list("total", flat=True)),
        "quantity": sorted(orders.Order.objects.with_quantity().values_list("customer__username", "quantity")),
    }
    # Nothing trivial: each method filters something out or computes something.
    assert django_side["live"] == ["Dune", "Foundation"] and django_side["proxy"] == ["Dune", "Foundation"]
    assert django_side["big"] == [(1, "bob")] and django_side["quantity"] == [("alice", 3), ("bob", 1)]

    async def run():
        teapot_alice = await m.User.objects.get(pk=ALICE)
        return {
            "live": sorted(await m.Product.objects.live().values_list("name", flat=True)),
            "cheap": sorted(await m.Product.objects.cheaper_than(10).values_list("name", flat=True)),
            "tag_count": sorted(await m.Product.objects.with_tag_count().values_list("name", "tag_count")),
            "on_sale": sorted(await m.Product.objects.on_sale().values_list("name", flat=True)),
            "proxy": await m.LiveProduct.objects.values_list("name", flat=True),
            "big": sorted(await m.Order.objects.big(100).values_list("number", "customer__username")),
            "open": await m.Order.objects.open().for_customer(teapot_alice).values_list("total", flat=True),
            "quantity": sorted(await m.Order.objects.with_quantity().values_list("customer__username", "quantity")),
        }

    assert asyncio.run(run()) == django_side


def test_methods_and_properties(db, m):
    write_with_django()
    moment = datetime.datetime(2024, 5, 1, tzinfo=datetime.timezone.utc)

    def observe(user, dune, manual, live, order, line, comment, profile):
        return {
            "display_name": user.display_name,
            "initials": user.initials(),
            "is_live": dune.is_live,
            "discounted": dune.discounted(10),
            "list_money": (dune.list_money(), manual.list_money()),
            "size_mb": manual.size_mb(),
            "headline": live.headline(),
            "is_open": order.is_open(),
            "subtotal": line.subtotal,
            "excerpt": comment.excerpt(10),
            "touched_after": comment.touched_after(moment),
            "age_days": comment.age_days > 100,
            "is_paying": profile.is_paying(),
            "label": str(dune.category),
        }

    from tests.adapter.project.accounts.models import Profile, User
    from tests.adapter.project.social.models import Comment

    expected = observe(
        User.objects.get(pk=ALICE),
        catalog.Product.objects.select_related("category").get(name="Dune"),
        catalog.DigitalProduct.objects.get(name="Manual"),
        catalog.LiveProduct.objects.get(name="Foundation"),
        orders.Order.objects.get(customer_id=ALICE),
        orders.OrderLine.objects.get(pk=1),
        Comment.objects.get(pk=1),
        Profile.objects.get(pk=ALICE),
    )
    assert expected["discounted"] == Decimal("8.91") and expected["initials"] == "AL"

    async def run():
        return observe(
            await m.User.objects.get(pk=ALICE),
            await m.Product.objects.select_related("category").get(name="Dune"),
            await m.DigitalProduct.objects.get(name="Manual"),
            await m.LiveProduct.objects.get(name="Foundation"),
            await m.Order.objects.get(customer_id=ALICE),
            await m.OrderLine.objects.get(pk=1),
            await m.Comment.objects.get(pk=1),
            await m.Profile.objects.get(pk=ALICE),
        )

    assert asyncio.run(run()) == expected


# Each violation, written once by Django and once by teapot, must fail alike.
VIOLATIONS = {
    "check": lambda M, o: M["catalog.Product"](name="Bad", category_id=1, price=Decimal("-1"), sku=o["sku"]),
    "unique field": lambda M, o: M["catalog.Tag"](name="Again", slug="new"),
    "unique constraint": lambda M, o: M["catalog.Product"](name="Dune", category_id=2, price=1, sku=o["sku"]),
    "unique_together": lambda M, o: M["orders.OrderLine"](order_id=o["order1"], product_id=1, quantity=1, unit_price=1),
    "check with F()": lambda M, o: M["social.Follow"](follower_id=BOB, followee_id=BOB),
    "foreign key": lambda M, o: M["orders.OrderLine"](order_id=o["order1"], product_id=999, quantity=1, unit_price=1),
    "one-to-one": lambda M, o: M["orders.Shipment"](order_id=o["order2"], carrier="DHL", tracking_code="OTHER1"),
}


class DjangoModels:
    def __getitem__(self, label):
        from django.apps import apps

        return apps.get_model(label)


@pytest.mark.parametrize("name", VIOLATIONS)
def test_constraints_are_enforced_alike(db, m, name):
    import uuid

    import django.db

    import teapot.db

    write_with_django()
    keys = {"sku": uuid.uuid4(), "order1": orders.Order.objects.get(customer_id=ALICE).pk}
    keys["order2"] = orders.Order.objects.get(customer_id=BOB).pk
    obj = VIOLATIONS[name](DjangoModels(), keys)
    with pytest.raises(django.db.IntegrityError):
        with django.db.transaction.atomic():
            obj.save()

    async def run():
        with pytest.raises(teapot.db.IntegrityError):
            async with teapot.db.transaction.atomic():
                await VIOLATIONS[name](m, keys).save()

    asyncio.run(run())


def test_partial_unique_constraint_is_enforced_alike(db, m):
    # Where the database has partial indexes, one NEW order per customer; MySQL has none, so
    # neither Django nor teapot creates it there and both accept the second row.
    import django.db
    from django.db import connection

    import teapot.db

    write_with_django()
    placed = datetime.datetime(2024, 6, 1, tzinfo=datetime.timezone.utc)
    enforced = connection.features.supports_partial_indexes
    orders.Order.objects.create(number=10, customer_id=ALICE, status=1, placed_at=placed, total=1)
    second = orders.Order(number=11, customer_id=ALICE, status=1, placed_at=placed, total=1)
    if enforced:
        with pytest.raises(django.db.IntegrityError), django.db.transaction.atomic():
            second.save()
    else:
        second.save()

    async def run():
        third = m.Order(number=12, customer_id=ALICE, status=1, placed_at=placed, total=1)
        if enforced:
            with pytest.raises(teapot.db.IntegrityError):
                async with teapot.db.transaction.atomic():
                    await third.save()
        else:
            await third.save()
        return await m.Order.objects.filter(customer_id=ALICE, status=1).count()

    assert asyncio.run(run()) == (1 if enforced else 3)


def test_protect_and_cascade_alike(db, m):
    from django.db.models import ProtectedError

    import teapot.db.models

    write_with_django()
    with pytest.raises(ProtectedError):
        catalog.Category.objects.get(name="Books").delete()

    async def run():
        books = await m.Category.objects.get(name="Books")
        with pytest.raises(teapot.db.models.ProtectedError):
            await books.delete()
        order = await m.Order.objects.get(customer_id=BOB)
        deleted, per_model = await order.delete()
        return per_model

    # The shipment and the order line go with the order, as the Django models say.
    assert asyncio.run(run()) == {"orders.Order": 1, "orders.OrderLine": 1, "orders.Shipment": 1}
    assert not orders.Shipment.objects.exists()


def test_shipment_save_and_delete_overrides_are_translated(adaptation, m, db):
    # Shipment.save() upper-cases the code, Shipment.delete() refuses: both are carried over
    # as async defs, and no model of the four apps is warned about.
    from teapot.adapter import AdaptWarning

    _, caught, _ = adaptation
    ours = [str(w.message) for w in caught if issubclass(w.category, AdaptWarning)]
    assert [message for message in ours if not message.startswith("teapot's delete of a")] == []

    write_with_django()
    order = orders.Order.objects.get(customer_id=ALICE)
    django_shipment = orders.Shipment.objects.create(order=order, carrier="Posti", tracking_code="lower2")
    assert django_shipment.tracking_code == "LOWER2"
    with pytest.raises(ValueError, match="kept for the records"):
        django_shipment.delete()
    django_shipment_code = orders.Shipment.objects.values_list("tracking_code", flat=True).get(pk=django_shipment.pk)
    orders.Shipment.objects.filter(pk=django_shipment.pk).delete()

    async def write():
        shipment = m.Shipment(order_id=order.pk, carrier="Posti", tracking_code="lower2")
        await shipment.save()
        stored = await m.Shipment.objects.values_list("tracking_code", flat=True).get(pk=shipment.pk)
        with pytest.raises(ValueError, match="kept for the records"):
            await shipment.delete()
        return stored, await m.Shipment.objects.filter(pk=shipment.pk).exists()

    assert asyncio.run(write()) == (django_shipment_code, True) == ("LOWER2", True)


def test_unsupported_fields_name_model_field_and_reason(m):
    import teapot
    from teapot.adapter import AdaptError
    from teapot.core.exceptions import ImproperlyConfigured
    from tests.adapter.project.oddities.models import Widget

    with pytest.raises(AdaptError) as info:
        teapot.adapt(Widget)
    assert isinstance(info.value, ImproperlyConfigured)
    assert (info.value.model, info.value.field) == ("oddities.Widget", "owner")
    assert "oddities.Widget.owner" in str(info.value) and "OwnerKey" in str(info.value)


def _adapter_state():
    """What an adapt() call may register: teapot's registry, its lazy operations, the
    adapter's Django -> teapot map, and the attributes of an adapted class a relation adds to."""
    from teapot.adapter import members
    from teapot.apps import apps

    return {
        "app configs": set(apps.app_configs),
        "models": {label: set(models) for label, models in apps.all_models.items() if models},
        "pending": set(apps._pending_operations),
        "adapted": set(members.adapted_classes),
        "user attributes": set(vars(members.adapted_classes[_django_user()])),
        "user relations": {rel.name for rel in members.adapted_classes[_django_user()]._meta.related_objects},
    }


def _django_user():
    from django.contrib.auth import get_user_model

    return get_user_model()


def test_a_failed_adapt_leaves_nothing_behind(m):
    # Holder adapts fine and is built first; Widget, which it needs, fails after that.
    import teapot
    from teapot.adapter import AdaptError
    from teapot.apps import apps as teapot_apps
    from tests.adapter.project.oddities.models import Holder

    before = _adapter_state()
    assert "held" not in before["user relations"]
    with pytest.raises(AdaptError) as info:
        teapot.adapt(Holder)
    message = str(info.value)
    assert "oddities.Widget.owner" in message and "OwnerKey" in message
    assert "oddities.Holder.widget" in message  # why Widget was adapted at all
    assert _adapter_state() == before
    with pytest.raises(LookupError):
        teapot_apps.get_model("oddities", "Holder")
    assert not hasattr(m.User, "held")
    # The registry still works: the relation trees were rebuilt without Holder.
    assert {rel.related_model._meta.label for rel in m.User._meta.related_objects} >= {"orders.Order"}
    # And a second try fails the same way rather than finding half of the first.
    with pytest.raises(AdaptError, match="oddities.Widget.owner"):
        teapot.adapt(Holder)
    assert _adapter_state() == before


def test_django_objects_without_a_twin_are_kept_as_they_are():
    # A Django function the fork lacks (a default=, a choices callable) must stay callable as
    # itself; only validators are wrapped, and only by the field builder.
    from django.contrib.auth.hashers import is_password_usable
    from django.db.models import Q

    from teapot.adapter.translate import translate
    from teapot.db.models import Q as TeapotQ

    assert translate(is_password_usable) is is_password_usable
    assert isinstance(translate(Q(a=1) | Q(b=2)), TeapotQ)


def test_django_validator_errors_become_teapot_errors_in_either_form():
    from django.core.exceptions import ValidationError as DjangoValidationError

    from teapot.adapter.translate import DjangoValidator
    from teapot.core.exceptions import ValidationError

    def by_field(value):
        raise DjangoValidationError({"sku": ["taken"], "name": DjangoValidationError("short", code="min")})

    def by_message(value):
        raise DjangoValidationError("bad %(v)s", code="bad", params={"v": value})

    with pytest.raises(ValidationError) as info:
        DjangoValidator(by_field)("x")
    assert {field: list(errors) for field, errors in info.value.message_dict.items()} == {
        "sku": ["taken"],
        "name": ["short"],
    }
    with pytest.raises(ValidationError) as info:
        DjangoValidator(by_message)(3)
    assert info.value.messages == ["bad 3"]
    assert info.value.error_list[0].code == "bad"


def test_protect_and_restrict_by_models_nobody_asked_for(db, m):
    # Only Shelf is requested; ShelfLabel (PROTECT) and ShelfLock (RESTRICT) guard its rows,
    # so adapt() brings them along and teapot's delete refuses as Django's does.
    import django.db
    import django.db.models

    import teapot
    import teapot.db.models
    from teapot.apps import apps as teapot_apps
    from tests.adapter.project.oddities.models import Shelf, ShelfLabel, ShelfLock

    adapted = teapot.adapt(Shelf)
    assert [model._meta.label for model in adapted] == ["oddities.Shelf"]
    TeapotShelf = adapted.Shelf

    labelled, locked, bare = (Shelf.objects.create(name=name) for name in ("labelled", "locked", "bare"))
    ShelfLabel.objects.create(shelf=labelled, text="fiction")
    ShelfLock.objects.create(shelf=locked)
    for shelf, error in ((labelled, django.db.models.ProtectedError), (locked, django.db.models.RestrictedError)):
        with pytest.raises(error), django.db.transaction.atomic():
            shelf.delete()

    async def run():
        with pytest.raises(teapot.db.models.ProtectedError) as protected:
            await (await TeapotShelf.objects.get(pk=labelled.pk)).delete()
        with pytest.raises(teapot.db.models.RestrictedError) as restricted:
            await TeapotShelf.objects.filter(pk=locked.pk).delete()
        deleted = await (await TeapotShelf.objects.get(pk=bare.pk)).delete()
        return protected.value, restricted.value, deleted

    protected, restricted, deleted = asyncio.run(run())
    assert [obj.text for obj in protected.protected_objects] == ["fiction"]
    assert [obj.shelf_id for obj in restricted.restricted_objects] == [locked.pk]
    assert deleted == (1, {"oddities.Shelf": 1})
    assert sorted(Shelf.objects.values_list("name", flat=True)) == ["labelled", "locked"]
    # Brought along, not requested: in teapot's registry, not in what adapt() returned.
    assert teapot_apps.get_model("oddities.ShelfLabel") is teapot.adapted(ShelfLabel)
    assert teapot_apps.get_model("oddities.ShelfLock") is teapot.adapted(ShelfLock)


def test_a_relation_left_unresolved_is_refused_at_adapt_time():
    # The last check of adapt(): a built class whose relation still names a model (no class)
    # would fail at its first query; adapt() refuses it, naming the model and the field.
    from teapot.adapter import AdaptError
    from teapot.adapter.models import check_relations_resolved
    from teapot.apps.registry import Apps
    from teapot.db import models

    class Note(models.Model):
        about = models.ForeignKey("elsewhere.Missing", on_delete=models.CASCADE)

        class Meta:
            app_label = "scratch"
            apps = Apps()

    with pytest.raises(AdaptError) as info:
        check_relations_resolved([Note])
    assert (info.value.model, info.value.field) == ("scratch.Note", "about")
    assert "elsewhere.Missing" in str(info.value)


def test_keys_of_models_not_adapted_are_named_and_the_database_refuses(adaptation, m, db):
    # oddities.Widget.owner and oddities.Holder.keeper point at accounts.User (CASCADE), and
    # oddities is not adapted: adapt() says that teapot's delete of a user does not reach
    # them, and such a delete is refused by the foreign key, losing nothing.
    import teapot.db
    from teapot.adapter import AdaptWarning
    from tests.adapter.project.accounts.models import User
    from tests.adapter.project.oddities.models import Widget

    _, caught, _ = adaptation
    ours = [str(w.message) for w in caught if issubclass(w.category, AdaptWarning)]
    assert ours == [
        "teapot's delete of a accounts.User does not reach oddities.Widget.owner (CASCADE), "
        "oddities.Holder.keeper (CASCADE): those models are not adapted, so while their rows refer "
        "to it the database's foreign key refuses the delete (IntegrityError) where Django would "
        "apply on_delete. Adapt them too: teapot.adapt('oddities.Holder', 'oddities.Widget')"
    ]

    write_with_django()
    Widget.objects.create(name="lamp", owner_id=ALICE)
    orders_before = orders.Order.objects.filter(customer_id=ALICE).count()

    async def delete_alice():
        await (await m.User.objects.get(pk=ALICE)).delete()

    with pytest.raises(teapot.db.IntegrityError):
        asyncio.run(delete_alice())
    assert User.objects.filter(pk=ALICE).exists()
    assert Widget.objects.filter(owner_id=ALICE).count() == 1
    assert orders.Order.objects.filter(customer_id=ALICE).count() == orders_before > 0
    # A user nobody's widget refers to goes, as in Django.
    asyncio.run(m.User.objects.filter(pk=BOB).delete())
    assert not User.objects.filter(pk=BOB).exists()
