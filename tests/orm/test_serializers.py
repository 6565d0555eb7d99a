"""teapot.core.serializers: serializing reads loaded values; deserializing is an async
iterator whose objects save with await (many-to-many values included)."""

import json
import re

import pytest

from teapot.core import serializers
from teapot.errors import AwaitRequired
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
