"""One data set touching every model and field kind of the project, and two writers for it:
Django's sync ORM and teapot's adapted models. Keys are given (UUIDs) or come from sequences
the flush restarted, so both writers produce the same rows but for auto_now columns."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from tests.adapter.project.catalog.fields import Money
from tests.adapter.project.common import HAS_DB_ON_DELETE

UTC = datetime.timezone.utc
HELSINKI = datetime.timezone(datetime.timedelta(hours=3))


def at(day, hour=12, minute=0, tz=UTC):
    return datetime.datetime(2024, 5, day, hour, minute, 30, 123456, tzinfo=tz)


@dataclass(frozen=True)
class Ref:
    key: str


@dataclass(frozen=True)
class ContentTypeOf:
    label: str


@dataclass
class Create:
    key: str
    label: str
    values: dict = field(default_factory=dict)


@dataclass
class Add:
    key: str
    relation: str
    targets: list
    through_defaults: dict | None = None


ALICE = uuid.UUID("00000000-0000-4000-8000-00000000a11c")
BOB = uuid.UUID("00000000-0000-4000-8000-000000000b0b")
CAROL = uuid.UUID("00000000-0000-4000-8000-0000000ca201")

STEPS = [
    Create("staff", "auth.Group", {"name": "staff"}),
    Create(
        "perm", "auth.Permission",
        {"name": "Can feature product", "codename": "feature_product", "content_type": ContentTypeOf("catalog.Product")},
    ),
    Add("staff", "permissions", [Ref("perm")]),
    Create("alice", "accounts.User", {
        "id": ALICE, "username": "alice", "first_name": "Alice", "last_name": "Liddell", "email": "alice@example.com",
        "password": "!", "is_staff": True, "date_joined": at(1, 9), "bio": "Curious.\nVery.",
        "preferences": {"theme": "dark", "langs": ["fi", "en"], "limits": {"daily": 3, "ratio": 0.5}, "beta": None},
    }),
    Create("bob", "accounts.User", {
        "id": BOB, "username": "bob", "password": "!", "date_joined": at(2, 23, 59, HELSINKI),
        "last_login": at(3, 0, 1), "preferences": [],
    }),
    Create("carol", "accounts.User", {
        "id": CAROL, "username": "carol", "first_name": "Carol", "password": "!", "is_active": False,
        "date_joined": at(4), "preferences": {"emoji": "☕ ünïcode"},
    }),
    Add("alice", "groups", [Ref("staff")]),
    Add("bob", "user_permissions", [Ref("perm")]),
    Create("alice_profile", "accounts.Profile", {
        "user": Ref("alice"), "tier": 2, "karma": 41, "birth_date": datetime.date(1990, 2, 28),
        "website": "https://alice.example", "avatar_hash": b"\x00\xffpng", "last_ip": "2001:db8::1",
        "created": at(5),
    }),
    Create("bob_profile", "accounts.Profile", {"user": Ref("bob"), "created": at(6), "last_ip": "192.0.2.7"}),
    Create("readers", "accounts.Team", {"name": "readers"}),
    Create("writers", "accounts.Team", {"name": "writers"}),
    Add("readers", "members", [Ref("alice"), Ref("bob")]),
    Create("books", "catalog.Category", {"name": "Books", "position": 1}),
    Create("scifi", "catalog.Category", {"name": "Science fiction", "parent": Ref("books"), "position": 2}),
    Create("new", "catalog.Tag", {"name": "New", "slug": "new"}),
    Create("sale", "catalog.Tag", {"name": "On sale", "slug": "sale"}),
    Create("dune", "catalog.Product", {
        "sku": uuid.UUID("11111111-2222-4333-8444-555555555555"), "name": "Dune", "category": Ref("scifi"),
        "price": Decimal("9.90"), "list_price_amount": Decimal("14.50"), "list_price": Money(Decimal("14.50"), "EUR"),
        "status": "live", "attributes": {"pages": 412, "isbn": "978-0441013593", "formats": ["paper", "audio"]},
        "weight_kg": 0.25, "released_on": datetime.date(1965, 8, 1),
        "launch_window": datetime.timedelta(days=3, hours=4, microseconds=7), "created": at(7),
    }),
    Create("atlas", "catalog.Product", {
        "sku": uuid.UUID("22222222-2222-4333-8444-555555555555"), "name": "Atlas", "category": Ref("books"),
        "price": Decimal("120.00"), "status": "draft", "created": at(8),
    }),
    Create("manual", "catalog.DigitalProduct", {
        "sku": uuid.UUID("33333333-2222-4333-8444-555555555555"), "name": "Manual", "category": Ref("books"),
        "price": Decimal("0.00"), "list_price": Money(Decimal("5"), "USD"), "status": "clearance",
        "attributes": {"drm": False}, "download_url": "https://example.com/manual.pdf", "size_bytes": 3 * 2**31,
        "licence_key": uuid.UUID("44444444-2222-4333-8444-555555555555"), "created": at(9),
    }),
    # Written through the proxy: the row is a Product's.
    Create("foundation", "catalog.LiveProduct", {
        "sku": uuid.UUID("55555555-2222-4333-8444-555555555555"), "name": "Foundation", "category": Ref("scifi"),
        "price": Decimal("7.25"), "status": "live", "created": at(10),
    }),
    Add("dune", "tags", [Ref("new"), Ref("sale")]),
    Add("manual", "tags", [Ref("sale")]),
    Create("dune_hel", "catalog.StockLevel", {"product": Ref("dune"), "warehouse": "HEL", "quantity": 4}),
    Create("dune_ber", "catalog.StockLevel", {"product": Ref("dune"), "warehouse": "BER", "counted_at": at(11)}),
    Create("atlas_hel", "catalog.StockLevel", {"product": Ref("atlas"), "warehouse": "HEL", "quantity": 1}),
    Create("order1", "orders.Order", {
        "id": uuid.UUID("66666666-2222-4333-8444-555555555555"), "number": 1, "customer": Ref("alice"),
        "status": 2, "placed_at": at(12, 8, 15, HELSINKI), "total": Decimal("29.70"),
        "notes": {"gift": True, "wrap": "blue"},
    }),
    Create("order2", "orders.Order", {
        "id": uuid.UUID("77777777-2222-4333-8444-555555555555"), "number": 1, "customer": Ref("bob"),
        "status": 3, "placed_at": at(13), "total": Decimal("120.00"), "notes": None,
    }),
    Create("line1", "orders.OrderLine", {"order": Ref("order1"), "product": Ref("dune"), "quantity": 3, "unit_price": Decimal("9.90")}),
    Add("order2", "products", [Ref("atlas")], {"quantity": 1, "unit_price": Decimal("120.00")}),
    Create("ship2", "orders.Shipment", {"order": Ref("order2"), "carrier": "Posti", "tracking_code": "JJFI123", "shipped_at": at(14)}),
    Create("follow1", "social.Follow", {"follower": Ref("alice"), "followee": Ref("bob"), "since": at(15)}),
    Add("bob", "following", [Ref("carol")], {"since": at(16), "muted": True}),
    Create("c1", "social.Comment", {
        "content_object": Ref("dune"), "author": Ref("bob"), "body": "A classic, and long.", "rating": 5, "created": at(17),
    }),
    Create("c2", "social.Comment", {"content_object": Ref("carol"), "author": Ref("alice"), "body": "Welcome!", "created": at(18)}),
    Create("c3", "social.Comment", {"content_object": Ref("order1"), "author": Ref("alice"), "body": "Gift", "created": at(19)}),
    Create("c4", "social.Comment", {"content_object": Ref("manual"), "author": Ref("carol"), "body": "Clear.", "created": at(20)}),
    Create("ti1", "social.TaggedItem", {"tag": Ref("new"), "content_object": Ref("alice")}),
    Create("ti2", "social.TaggedItem", {"tag": Ref("sale"), "content_object": Ref("line1")}),
    # Product.likes is a GenericRelation; Manual's likes are a DigitalProduct's, Foundation's
    # (written through the proxy) a Product's.
    Create("like1", "social.Like", {"target": Ref("dune"), "user": Ref("alice")}),
    Create("like2", "social.Like", {"target": Ref("dune"), "user": Ref("bob"), "weight": 3}),
    Create("like3", "social.Like", {"target": Ref("manual"), "user": Ref("carol"), "weight": 2}),
    Create("like4", "social.Like", {"target": Ref("foundation"), "user": Ref("alice")}),
    # Set by its two columns rather than by the object.
    Create("bm1", "social.Bookmark", {
        "owner": Ref("carol"), "content_type": ContentTypeOf("catalog.Category"), "object_id": "2", "note": "later",
    }),
]
if HAS_DB_ON_DELETE:
    STEPS += [
        Create("thread1", "social.Thread", {"title": "Dune or Foundation?"}),
        Create("post1", "social.Post", {"thread": Ref("thread1"), "body": "Dune."}),
        Create("post2", "social.Post", {"thread": Ref("thread1"), "reply_to": Ref("post1"), "body": "Foundation."}),
    ]


def write_with_django():
    """Write STEPS with Django's sync ORM; returns the objects by key."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    objects = {}

    def resolve(value):
        if isinstance(value, Ref):
            return objects[value.key]
        if isinstance(value, ContentTypeOf):
            return ContentType.objects.get_for_model(apps.get_model(value.label))
        if isinstance(value, list):
            return [resolve(v) for v in value]
        return value

    for step in STEPS:
        if isinstance(step, Create):
            model = apps.get_model(step.label)
            objects[step.key] = model.objects.create(**{k: resolve(v) for k, v in step.values.items()})
        else:
            manager = getattr(objects[step.key], step.relation)
            manager.add(*resolve(step.targets), through_defaults=step.through_defaults)
    return objects


async def write_with_teapot(adapted):
    """Write STEPS with teapot's adapted models; returns the objects by key."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType as DjangoContentType

    ContentType = adapted[DjangoContentType]
    objects = {}

    async def resolve(value):
        if isinstance(value, Ref):
            return objects[value.key]
        if isinstance(value, ContentTypeOf):
            return await ContentType.objects.get_for_model(adapted[apps.get_model(value.label)])
        if isinstance(value, list):
            return [await resolve(v) for v in value]
        return value

    for step in STEPS:
        if isinstance(step, Create):
            model = adapted[apps.get_model(step.label)]
            values = {k: await resolve(v) for k, v in step.values.items()}
            objects[step.key] = await model.objects.create(**values)
        else:
            manager = getattr(objects[step.key], step.relation)
            await manager.add(*await resolve(step.targets), through_defaults=step.through_defaults)
    return objects
