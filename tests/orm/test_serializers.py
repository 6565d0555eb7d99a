"""teapot.core.serializers: serialize() reads loaded values, aserialize() loads what it
writes first; deserializing is an async iterator whose objects save with await
(many-to-many values included). YAML works when PyYAML is installed."""

import json
import re

import pytest

from teapot.core import serializers
from teapot.db import connection
from teapot.errors import AwaitRequired
from teapot.testing.utils import CaptureQueriesContext
from tests.database.testapp.models import Author, Book, Tag

pytestmark = pytest.mark.usefixtures("tables")


async def test_json_round_trip_with_foreign_key_and_many_to_many():
    ann = await Author.objects.create(name="Ann", age=3)
    book = await Book.objects.create(title="A", author=ann, data={"k": [1, 2]})
    t1, t2 = await Tag.objects.create(name="t1"), await Tag.objects.create(name="t2")
    await book.tags.add(t1, t2)

    books = [b async for b in Book.objects.prefetch_related("tags")]
    text = serializers.serialize("json", books)
    (row,) = json.loads(text)
    assert row["model"] == "testapp.book"
    assert row["fields"]["author"] == ann.pk
    assert sorted(row["fields"]["tags"]) == sorted([t1.pk, t2.pk])
    xml = serializers.serialize("xml", books)
    tags_xml = xml[xml.index('<field name="tags"'):]
    assert sorted(map(int, re.findall(r'<object pk="(\d+)"', tags_xml))) == sorted([t1.pk, t2.pk])

    await Book.objects.all().delete()
    restored = [obj async for obj in serializers.deserialize("json", text)]
    assert [type(obj.object) for obj in restored] == [Book]
    for obj in restored:
        await obj.save()
    again = await Book.objects.prefetch_related("tags").aget()
    assert (again.pk, again.title, again.author_id, again.data) == (book.pk, "A", ann.pk, {"k": [1, 2]})
    assert sorted(t.name for t in again.tags.all()) == ["t1", "t2"]


async def test_deserializing_an_unknown_model_raises_deserialization_error():
    text = json.dumps([{"model": "testapp.nothing", "pk": 1, "fields": {}}])
    with pytest.raises(serializers.base.DeserializationError, match="Invalid model identifier"):
        [obj async for obj in serializers.deserialize("json", text)]


async def test_serializing_unloaded_many_to_many_values_asks_for_prefetch():
    ann = await Author.objects.create(name="Ann")
    await Book.objects.create(title="A", author=ann)
    books = [b async for b in Book.objects.all()]
    with pytest.raises(AwaitRequired):
        serializers.serialize("json", books)
    assert json.loads(serializers.serialize("json", books, fields=["title"]))[0]["fields"] == {"title": "A"}


async def test_aserialize_evaluates_a_queryset_and_loads_many_to_many_values():
    ann = await Author.objects.create(name="Ann")
    book = await Book.objects.create(title="A", author=ann)
    t1, t2 = await Tag.objects.create(name="t1"), await Tag.objects.create(name="t2")
    await book.tags.add(t1, t2)

    async with CaptureQueriesContext(connection) as ctx:
        text = await serializers.aserialize("json", Book.objects.all())
    (row,) = json.loads(text)
    assert sorted(row["fields"]["tags"]) == sorted([t1.pk, t2.pk])
    # The books, then the tags of the one book: primary keys only, as Django reads them.
    assert len(ctx.captured_queries) == 2
    assert connection.ops.quote_name("name") not in ctx.captured_queries[1]["sql"]
    # Loaded for the writing only: the book's relation is no more loaded than before.
    with pytest.raises(AwaitRequired):
        serializers.serialize("json", [book])


async def test_aserialize_uses_prefetched_values_without_another_query():
    ann = await Author.objects.create(name="Ann")
    book = await Book.objects.create(title="A", author=ann)
    await book.tags.add(await Tag.objects.create(name="t1"))
    books = await Book.objects.prefetch_related("tags")
    async with CaptureQueriesContext(connection) as ctx:
        text = await serializers.aserialize("xml", books)
    assert ctx.captured_queries == []
    assert '<field name="tags" rel="ManyToManyRel" to="testapp.tag">' in text


async def test_aserialize_reads_deferred_fields_and_natural_foreign_keys(monkeypatch):
    ann = await Author.objects.create(name="Ann")
    await Book.objects.create(title="A", author=ann, pages=12)
    (book,) = await Book.objects.defer("pages")
    with pytest.raises(AwaitRequired):
        serializers.serialize("python", [book], fields=["title", "pages"])
    rows = await serializers.aserialize("python", [book], fields=["title", "pages"])
    assert rows[0]["fields"] == {"title": "A", "pages": 12}

    # Written by its natural key, the author is read: the book's relation is not loaded.
    monkeypatch.setattr(Author, "natural_key", lambda self: (self.name,), raising=False)
    (book,) = await Book.objects.all()
    with pytest.raises(AwaitRequired):
        serializers.serialize("python", [book], fields=["author"], use_natural_foreign_keys=True)
    rows = await serializers.aserialize("python", [book], fields=["author"], use_natural_foreign_keys=True)
    assert rows[0]["fields"] == {"author": ("Ann",)}


async def test_aserialize_steps_an_iterator_stream():
    ann = await Author.objects.create(name="Ann")
    await Book.objects.create(title="A", author=ann)
    await Book.objects.create(title="B", author=ann)
    rows = await serializers.aserialize("python", Book.objects.order_by("title").iterator(), fields=["title"])
    assert [row["fields"]["title"] for row in rows] == ["A", "B"]


async def test_yaml_round_trip():
    ann = await Author.objects.create(name="Ann", age=3)
    text = await serializers.aserialize("yaml", Author.objects.all())
    assert "model: testapp.author" in text
    assert "name: Ann" in text
    await Author.objects.all().delete()
    async for obj in serializers.deserialize("yaml", text):
        await obj.save()
    again = await Author.objects.aget()
    assert (again.pk, again.name, again.age) == (ann.pk, "Ann", 3)
