"""Writes through the async API: create, save, get_or_create, bulk operations, delete, signals."""

import pytest

from teapot.db import models, transaction
from teapot.db.models import F
from teapot.db.models.signals import post_delete, post_save, pre_delete, pre_save
from tests.database.seed import insert, tag_book
from tests.database.testapp.models import Author, Book, Loan, Profile, Tag

pytestmark = pytest.mark.usefixtures("tables")


async def test_create_inserts_a_row():
    ann = await Author.objects.create(name="Ann", age=30)
    assert ann.pk is not None and not ann._state.adding
    row = await Author.objects.get(pk=ann.pk)
    assert (row.name, row.age) == ("Ann", 30)


async def test_save_inserts_then_updates():
    ann = Author(name="Ann", age=30)
    await ann.save()
    pk = ann.pk
    assert pk is not None
    ann.age = 31
    await ann.save()
    assert ann.pk == pk
    assert await Author.objects.count() == 1
    assert (await Author.objects.get(pk=pk)).age == 31


async def test_save_update_fields_writes_only_those_fields():
    ann = await Author.objects.create(name="Ann", age=30)
    ann.name, ann.age = "Anna", 31
    await ann.save(update_fields=["age"])
    row = await Author.objects.get(pk=ann.pk)
    assert (row.name, row.age) == ("Ann", 31)


async def test_save_update_fields_loads_a_deferred_field_it_names():
    ann = await Author.objects.create(name="Ann", age=30)
    partial = await Author.objects.only("name").get(pk=ann.pk)
    partial.name = "Anna"
    await partial.save(update_fields=["age"])  # age was deferred: loaded, then written back
    assert partial.age == 30
    row = await Author.objects.get(pk=ann.pk)
    assert (row.name, row.age) == ("Ann", 30)


async def test_save_awaits_a_default_that_queries():
    ann = await Author.objects.create(name="Ann")

    async def first_author():
        return await Author.objects.order_by("pk").afirst()

    field = Loan._meta.get_field("lender")
    saved_default = field.default
    field.default = first_author
    field.__dict__.pop("_get_default", None)  # the default's getter is cached per field
    try:
        loan = Loan()  # __init__ cannot await: the default's coroutine waits on the instance
        await loan.save()
    finally:
        field.default = saved_default
        field.__dict__.pop("_get_default", None)
    assert loan.lender_id == ann.pk  # the instance it gave stands for its key
    assert (await Loan.objects.get(pk=loan.pk)).lender_id == ann.pk


async def test_get_or_create_creates_then_gets():
    ann, created = await Author.objects.get_or_create(name="Ann", defaults={"age": 30})
    assert created is True and ann.age == 30
    again, created = await Author.objects.get_or_create(name="Ann", defaults={"age": 99})
    assert created is False and again.pk == ann.pk and again.age == 30
    assert await Author.objects.count() == 1


async def test_update_or_create_updates_then_creates():
    ann = await Author.objects.create(name="Ann", age=30)
    updated, created = await Author.objects.update_or_create(name="Ann", defaults={"age": 31})
    assert created is False and updated.pk == ann.pk
    assert (await Author.objects.get(name="Ann")).age == 31
    bob, created = await Author.objects.update_or_create(
        name="Bob", defaults={"age": 20}, create_defaults={"age": 21}
    )
    assert created is True
    assert (await Author.objects.get(pk=bob.pk)).age == 21
    assert await Author.objects.count() == 2


async def test_bulk_create_sets_primary_keys():
    authors = await Author.objects.bulk_create([Author(name=n, age=i) for i, n in enumerate("ABC")])
    assert len(authors) == 3 and all(a.pk is not None for a in authors)
    stored = await Author.objects.order_by("pk")
    assert [(a.pk, a.name, a.age) for a in stored] == [(a.pk, a.name, a.age) for a in authors]


async def test_bulk_update_writes_given_fields():
    await insert(Author, *({"name": n, "age": i} for i, n in enumerate("ABC")))
    authors = await Author.objects.all()
    for author in authors:
        author.age += 10
        author.name = author.name.lower()
    assert await Author.objects.bulk_update(authors, ["age"]) == 3
    assert [(a.name, a.age) for a in await Author.objects.all()] == [("A", 10), ("B", 11), ("C", 12)]


async def test_queryset_update_returns_row_count():
    await insert(Author, {"name": "Ann", "age": 30}, {"name": "Bob", "age": 20})
    assert await Author.objects.filter(age__lt=25).update(age=F("age") + 1) == 1
    assert await Author.objects.filter(name="Nobody").update(age=0) == 0
    assert await Author.objects.values_list("age", flat=True) == [30, 21]


async def test_delete_instance_cascades_to_books():
    (ann_pk,) = await insert(Author, {"name": "Ann", "age": 0})
    await insert(Book, {"title": "A", "author_id": ann_pk}, {"title": "B", "author_id": ann_pk})
    ann = await Author.objects.get(pk=ann_pk)
    assert await ann.delete() == (3, {"testapp.Book": 2, "testapp.Author": 1})
    assert ann.pk is None
    assert await Book.objects.count() == 0


async def test_delete_queryset_cascades_and_counts_per_model():
    ann, bob = await insert(Author, {"name": "Ann", "age": 0}, {"name": "Bob", "age": 0})
    book, _ = await insert(Book, {"title": "A", "author_id": ann}, {"title": "B", "author_id": bob})
    await tag_book(book, *await insert(Tag, {"name": "t"}))
    await insert(Profile, {"author_id": ann, "bio": "hi"})
    deleted = await Author.objects.filter(name="Ann").delete()
    assert deleted == (
        4,
        {"testapp.Book_tags": 1, "testapp.Book": 1, "testapp.Profile": 1, "testapp.Author": 1},
    )
    assert await Author.objects.values_list("name", flat=True) == ["Bob"]
    assert await Book.objects.values_list("title", flat=True) == ["B"]
    assert await Tag.objects.count() == 1


async def test_delete_sets_null_and_default_on_the_rows_that_point_at_it():
    # Collector updates these rows with one queryset update per field; it must run.
    ann, bob = await insert(Author, {"name": "Ann", "age": 0}, {"name": "Bob", "age": 0})
    book, other = await insert(Book, {"title": "A", "author_id": bob}, {"title": "B", "author_id": bob})
    await insert(
        Loan,
        {"book_id": book, "lender_id": ann},
        {"book_id": book, "lender_id": None},
        {"book_id": other, "lender_id": ann},
    )
    deleted = await Book.objects.filter(pk=book).delete()
    assert deleted == (1, {"testapp.Book": 1})
    assert await Loan.objects.order_by("pk").values_list("book_id", "lender_id") == [
        (None, ann),
        (None, None),
        (other, ann),
    ]
    await (await Author.objects.get(pk=ann)).delete()
    assert await Loan.objects.order_by("pk").values_list("book_id", "lender_id") == [
        (None, None),
        (None, None),
        (other, None),
    ]


async def test_save_signals_fire_with_arguments():
    calls = []

    def on_pre(sender, instance, raw, using, update_fields, **kwargs):
        calls.append(("pre_save", sender, instance.pk, update_fields))

    def on_post(sender, instance, created, update_fields, **kwargs):
        calls.append(("post_save", sender, instance.pk, created, update_fields))

    pre_save.connect(on_pre, sender=Author)
    post_save.connect(on_post, sender=Author)
    try:
        ann = Author(name="Ann")
        await ann.save()
        ann.age = 5
        await ann.save(update_fields=["age"])
    finally:
        pre_save.disconnect(on_pre, sender=Author)
        post_save.disconnect(on_post, sender=Author)
    assert calls == [
        ("pre_save", Author, None, None),
        ("post_save", Author, ann.pk, True, None),
        ("pre_save", Author, ann.pk, frozenset({"age"})),
        ("post_save", Author, ann.pk, False, frozenset({"age"})),
    ]


async def test_delete_signals_fire_for_cascaded_objects():
    (author_pk,) = await insert(Author, {"name": "Ann", "age": 0})
    (book_pk,) = await insert(Book, {"title": "A", "author_id": author_pk})
    ann = await Author.objects.get(pk=author_pk)
    calls = []

    def on_pre(sender, instance, using, origin, **kwargs):
        calls.append(("pre_delete", sender, instance.pk, origin))

    def on_post(sender, instance, using, origin, **kwargs):
        calls.append(("post_delete", sender, instance.pk, origin))

    for model in (Author, Book):
        pre_delete.connect(on_pre, sender=model)
        post_delete.connect(on_post, sender=model)
    try:
        await ann.delete()
    finally:
        for model in (Author, Book):
            pre_delete.disconnect(on_pre, sender=model)
            post_delete.disconnect(on_post, sender=model)
    assert [c[0] for c in calls] == ["pre_delete", "pre_delete", "post_delete", "post_delete"]
    assert {c[1:3] for c in calls} == {(Author, author_pk), (Book, book_pk)}
    assert all(c[3] is ann for c in calls)


async def test_async_receivers_run_inside_the_senders_transaction():
    # Inside an atomic block an async receiver queries on the block's connection: it sees
    # the rows the block wrote, and the parent row a cascade has not deleted yet.
    seen = []

    async def on_post(sender, instance, **kwargs):
        seen.append(await Author.objects.filter(pk=instance.author_id).exists())

    post_delete.connect(on_post, sender=Book)
    try:
        async with transaction.atomic():
            ann = await Author.objects.create(name="Ann", age=0)
            await Book.objects.create(title="A", author=ann)
            await Book.objects.create(title="B", author=ann)
            await ann.delete()
    finally:
        post_delete.disconnect(on_post, sender=Book)
    assert seen == [True, True]
    assert await Author.objects.count() == 0


async def test_a_database_error_says_each_part_of_the_servers_message_once():
    from teapot.db import IntegrityError, connection

    await Author.objects.create(name="Ann")
    with pytest.raises(IntegrityError) as caught:
        async with transaction.atomic():
            await Author.objects.create(name="Ann")
    lines = str(caught.value).splitlines()
    assert lines and len(lines) == len(set(lines)), lines
    if connection.vendor == "postgresql":
        # The server's detail names the key, once (asyncpg's str() already carries it).
        assert [line for line in lines if line.startswith("DETAIL:")] == ["DETAIL:  Key (name)=(Ann) already exists."]


async def test_set_on_delete_awaits_a_callable_that_queries(monkeypatch):
    ann = await Author.objects.create(name="Ann")
    heir = await Author.objects.create(name="Heir")
    loan = await Loan.objects.create(lender=ann)

    async def heir_of_the_lender():
        return await Author.objects.aget(name="Heir")  # an instance: its key is written

    lender = Loan._meta.get_field("lender")
    monkeypatch.setattr(lender.remote_field, "on_delete", models.SET(heir_of_the_lender))
    await ann.delete()
    assert await Loan.objects.filter(pk=loan.pk).values_list("lender_id", flat=True) == [heir.pk]


async def test_a_json_value_the_encoder_refuses_raises_its_type_error_as_in_django():
    import uuid

    author = await Author.objects.create(name="Ann")
    async with transaction.atomic():
        with pytest.raises(TypeError, match="is not JSON serializable"):
            async with transaction.atomic():
                await Book.objects.create(title="Dune", author=author, data={"id": uuid.uuid4()})
        await Book.objects.create(title="Emma", author=author, data={"id": "plain"})
    assert await Book.objects.values_list("title", "data") == [("Emma", {"id": "plain"})]
