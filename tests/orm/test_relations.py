"""Relations: select_related, prefetch_related, related managers, and AwaitRequired on lazy loads."""

import pytest

from teapot.db import connection
from teapot.db.models import Prefetch, aprefetch_related_objects
from teapot.errors import AwaitRequired
from teapot.testing.utils import CaptureQueriesContext
from teapot.utils.deprecation import RemovedInDjango60Warning
from tests.database.seed import insert, tag_book
from tests.database.testapp.models import Author, Book, Category, Profile, Tag

pytestmark = pytest.mark.usefixtures("tables")


async def make_library():
    """Ann wrote A1 (100 pages) and A2 (300), Bob wrote B1 (200); returns the authors."""
    ann_pk, bob_pk = await insert(Author, {"name": "Ann", "age": 30}, {"name": "Bob", "age": 20})
    await insert(
        Book,
        {"title": "A1", "pages": 100, "author_id": ann_pk},
        {"title": "A2", "pages": 300, "author_id": ann_pk},
        {"title": "B1", "pages": 200, "author_id": bob_pk},
    )
    return await Author.objects.get(pk=ann_pk), await Author.objects.get(pk=bob_pk)


async def test_select_related_allows_sync_fk_access():
    await make_library()
    book = await Book.objects.select_related("author").get(title="B1")
    assert book.author.name == "Bob"
    books = await Book.objects.select_related("author").order_by("title")
    assert [(b.title, b.author.name) for b in books] == [("A1", "Ann"), ("A2", "Ann"), ("B1", "Bob")]


async def test_select_related_self_fk_and_reverse_one_to_one():
    (root,) = await insert(Category, {"name": "root"})
    await insert(Category, {"name": "leaf", "parent_id": root})
    leaf = await Category.objects.select_related("parent").get(name="leaf")
    assert leaf.parent.name == "root"
    (ann,) = await insert(Author, {"name": "Ann", "age": 1})
    await insert(Profile, {"author_id": ann, "bio": "writer"})
    loaded = await Author.objects.select_related("profile").get(pk=ann)
    assert loaded.profile.bio == "writer"


async def test_unloaded_foreign_key_raises_await_required():
    ann, _ = await make_library()
    book = await Book.objects.get(title="A1")
    assert book.author_id == ann.pk
    with pytest.raises(AwaitRequired, match="await") as raised:
        book.author
    # The error names what to load, for code that loads it and tries again.
    assert (raised.value.instance, raised.value.attribute) == (book, "author")
    await aprefetch_related_objects([book], "author")
    assert book.author.name == "Ann"


async def test_unloaded_reverse_one_to_one_raises_await_required():
    (ann,) = await insert(Author, {"name": "Ann", "age": 1})
    await insert(Profile, {"author_id": ann, "bio": "writer"})
    author = await Author.objects.get(pk=ann)
    with pytest.raises(AwaitRequired, match="await"):
        author.profile


async def test_assigned_foreign_key_is_cached():
    ann, _ = await make_library()
    book = Book(title="new", author=ann)
    assert book.author is ann and book.author_id == ann.pk


async def test_deferred_field_raises_await_required_until_refreshed():
    await make_library()
    ann = await Author.objects.only("name").get(name="Ann")
    assert ann.name == "Ann"
    assert ann.get_deferred_fields() == {"age"}
    with pytest.raises(AwaitRequired, match="await") as raised:
        ann.age
    assert (raised.value.instance, raised.value.attribute) == (ann, "age")
    await ann.refresh_from_db(fields=["age"])
    assert ann.age == 30


async def test_related_manager_with_deferred_foreign_key_loads_it_per_row():
    # The manager attaches its instance to each row through the row's key: a key left out
    # by only() is loaded with one query per row, as Django's attribute read does.
    ann, _ = await make_library()
    async with CaptureQueriesContext(connection) as ctx:
        books = await ann.books.only("pk").order_by("title")
    assert len(ctx.captured_queries) == 3  # the rows, then author_id of A1 and of A2
    assert [book.author for book in books] == [ann, ann]
    assert [book.author_id for book in books] == [ann.pk, ann.pk]
    assert books[0].get_deferred_fields() == {"title", "pages", "data"}


async def test_prefetch_of_a_deferred_foreign_key_loads_the_key_first():
    await make_library()
    books = await Book.objects.defer("author").order_by("title")
    async with CaptureQueriesContext(connection) as ctx:
        await aprefetch_related_objects(books, "author")
    assert len(ctx.captured_queries) == 4  # author_id of each of three books, then the authors
    assert [book.author.name for book in books] == ["Ann", "Ann", "Bob"]


async def test_prefetch_related_allows_sync_all():
    await make_library()
    authors = await Author.objects.prefetch_related("books")
    assert [sorted(b.title for b in a.books.all()) for a in authors] == [["A1", "A2"], ["B1"]]
    assert len(authors[0].books.all()) == 2



async def test_first_and_last_of_a_prefetched_related_manager_use_its_rows():
    await make_library()
    ordered = Book.objects.order_by("title")
    authors = await Author.objects.order_by("name").prefetch_related(Prefetch("books", queryset=ordered))
    assert (await authors[0].books.first()).title == "A1"
    assert (await authors[0].books.last()).title == "A2"
    none = await Author.objects.create(name="Nobody", age=1)
    [none] = await Author.objects.filter(pk=none.pk).prefetch_related("books")
    assert await none.books.first() is None


async def test_prefetch_object_with_queryset_and_to_attr():
    await make_library()
    long_books = Book.objects.filter(pages__gte=200).order_by("-pages")
    authors = await Author.objects.prefetch_related(Prefetch("books", queryset=long_books, to_attr="long_books"))
    assert [[b.title for b in a.long_books] for a in authors] == [["A2"], ["B1"]]
    assert isinstance(authors[0].long_books, list)


async def test_prefetch_many_to_many():
    ann, _ = await make_library()
    t1, t2 = await insert(Tag, {"name": "t1"}, {"name": "t2"})
    await tag_book((await Book.objects.get(title="A1")).pk, t1, t2)
    books = await Book.objects.filter(author=ann).prefetch_related("tags").order_by("title")
    assert [sorted(t.name for t in b.tags.all()) for b in books] == [["t1", "t2"], []]


async def test_reverse_foreign_key_manager_create_add_count():
    ann, bob = await make_library()
    created = await ann.books.create(title="A3")
    assert created.author_id == ann.pk
    assert (await Book.objects.get(pk=created.pk)).author_id == ann.pk
    await ann.books.add(await Book.objects.get(title="B1"))
    assert await ann.books.count() == 4
    assert await bob.books.count() == 0
    assert (await Book.objects.get(title="B1")).author_id == ann.pk


async def test_nullable_reverse_foreign_key_remove_set_clear():
    await insert(Category, *({"name": n} for n in ("root", "c1", "c2", "c3")))
    root, c1, c2, c3 = await Category.objects.order_by("pk")
    await root.children.add(c1, c2)
    assert sorted(await root.children.values_list("name", flat=True)) == ["c1", "c2"]
    await root.children.remove(c1)
    assert (await Category.objects.get(name="c1")).parent_id is None
    await root.children.set([c2, c3])
    assert sorted(await root.children.values_list("name", flat=True)) == ["c2", "c3"]
    await root.children.clear()
    assert await root.children.count() == 0
    assert await Category.objects.filter(parent__isnull=True).count() == 4


async def test_many_to_many_forward_manager():
    await make_library()
    book = await Book.objects.get(title="A1")
    await insert(Tag, *({"name": n} for n in ("t1", "t2", "t3")))
    t1, t2, t3 = await Tag.objects.order_by("name")
    await book.tags.add(t1, t2)
    assert sorted(await book.tags.values_list("name", flat=True)) == ["t1", "t2"]
    await book.tags.remove(t1)
    assert await book.tags.values_list("name", flat=True) == ["t2"]
    await book.tags.set([t1, t3])
    assert sorted(await book.tags.values_list("name", flat=True)) == ["t1", "t3"]
    new = await book.tags.create(name="t4")
    assert await Tag.objects.filter(pk=new.pk, books=book).exists()
    await book.tags.clear()
    assert await book.tags.count() == 0
    assert await Tag.objects.count() == 4


async def test_related_managers_set_takes_an_unevaluated_queryset():
    # set() reads the queryset before it clears: a queryset over the relation itself
    # still names the rows it held.
    await insert(Category, *({"name": n} for n in ("root", "c1", "c2", "c3")))
    root = await Category.objects.get(name="root")
    await root.children.set(Category.objects.filter(name__in=["c1", "c2"]))
    assert sorted(await root.children.values_list("name", flat=True)) == ["c1", "c2"]
    await root.children.set(root.children.filter(name="c2"), clear=True)
    assert await root.children.values_list("name", flat=True) == ["c2"]
    await make_library()
    book = await Book.objects.get(title="A1")
    await insert(Tag, *({"name": n} for n in ("t1", "t2", "t3")))
    await book.tags.set(Tag.objects.exclude(name="t2"))
    assert sorted(await book.tags.values_list("name", flat=True)) == ["t1", "t3"]
    await book.tags.set(book.tags.filter(name="t3"), clear=True)
    assert await book.tags.values_list("name", flat=True) == ["t3"]


async def test_deprecated_get_prefetch_queryset_takes_an_unevaluated_queryset():
    # The deprecated get_prefetch_queryset() reads a queryset of instances itself: the
    # prefetch code indexes it, which would otherwise need a synchronous query.
    ann, bob = await make_library()
    await insert(Profile, {"author_id": ann.pk, "bio": "writer"})
    book = await Book.objects.get(title="A1")
    await insert(Tag, {"name": "t1"})
    await book.tags.add(await Tag.objects.get(name="t1"))
    relations = [
        (Book.author, Book.objects.order_by("title"), "name", {"Ann", "Bob"}),
        (Author.profile, Author.objects.all(), "bio", {"writer"}),
        (ann.books, Author.objects.all(), "title", {"A1", "A2", "B1"}),
        (book.tags, Book.objects.all(), "name", {"t1"}),
    ]
    for relation, instances, field, expected in relations:
        with pytest.warns(RemovedInDjango60Warning, match="get_prefetch_queryset") as caught:
            queryset, *_ = await relation.get_prefetch_queryset(instances)
        assert caught[0].filename == __file__
        assert {getattr(row, field) async for row in queryset} == expected


async def test_many_to_many_add_with_m2m_changed_receivers_skips_present_rows():
    # With receivers (or an explicit through model) add() cannot ignore conflicts: it reads
    # which targets are already there first, and says which ones it added.
    from teapot.db.models.signals import m2m_changed

    await make_library()
    book = await Book.objects.get(title="A1")
    await insert(Tag, *({"name": n} for n in ("t1", "t2")))
    t1, t2 = await Tag.objects.order_by("name")
    added = []

    def receiver(action, pk_set, **kwargs):
        if action == "post_add":
            added.append(sorted(pk_set))

    m2m_changed.connect(receiver, sender=Book.tags.through)
    try:
        await book.tags.add(t1)
        await book.tags.add(t1, t2)
    finally:
        m2m_changed.disconnect(receiver, sender=Book.tags.through)
    assert added == [[t1.pk], [t2.pk]]
    assert sorted(await book.tags.values_list("name", flat=True)) == ["t1", "t2"]


async def test_many_to_many_reverse_manager():
    ann, bob = await make_library()
    await insert(Tag, {"name": "t"})
    tag = await Tag.objects.get(name="t")
    a1, b1 = await Book.objects.filter(title__in=["A1", "B1"]).order_by("title")
    await tag.books.add(a1, b1)
    assert sorted(await tag.books.values_list("title", flat=True)) == ["A1", "B1"]
    assert await a1.tags.values_list("name", flat=True) == ["t"]
    await tag.books.remove(a1)
    assert await a1.tags.count() == 0
    await tag.books.set([a1])
    assert await tag.books.values_list("title", flat=True) == ["A1"]
    created = await tag.books.create(title="new", author=bob)
    assert await created.tags.values_list("name", flat=True) == ["t"]
    await tag.books.clear()
    assert await tag.books.count() == 0


async def test_many_to_many_managers_of_either_side_filter_on_their_own_instance():
    # The relation's layout is worked out once per manager class; each manager still holds
    # its own instance's filter.
    await make_library()
    a1, b1 = await Book.objects.get(title="A1"), await Book.objects.get(title="B1")
    rust, go = await Tag.objects.acreate(name="rust"), await Tag.objects.acreate(name="go")
    await a1.tags.add(rust, go)
    await b1.tags.add(go)
    first, second = a1.tags, b1.tags
    assert (first.source_field_name, first.target_field_name, first.prefetch_cache_name) == ("book", "tag", "tags")
    assert (first.core_filters, second.core_filters) == ({"books__id": a1.pk}, {"books__id": b1.pk})
    assert first.pk_field_names is not second.pk_field_names
    reverse = go.books
    assert (reverse.source_field_name, reverse.target_field_name, reverse.prefetch_cache_name) == ("tag", "book", "books")
    assert reverse.core_filters == {"tags__id": go.pk} and reverse.model is Book
    assert sorted([t.name async for t in first.all()]) == ["go", "rust"]
    assert [t.name async for t in second.all()] == ["go"]
    assert sorted([b.title async for b in reverse.all()]) == ["A1", "B1"]


async def test_a_many_to_many_manager_of_an_unsaved_object_is_refused():
    with pytest.raises(ValueError, match="needs to have a value for field \"id\" before this many-to-many"):
        Book(title="draft").tags
