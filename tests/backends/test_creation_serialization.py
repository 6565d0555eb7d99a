"""connection.creation.serialize_db_to_string() / deserialize_db_from_string(): the rows of
the migrated apps as JSON (many-to-many values included), and back into the database. Both
raised NameError before (the serializers were not imported), and the deserializer was
iterated as a sync iterator."""

import json
from unittest import mock

import pytest

from teapot.db import connection
from teapot.db.migrations.loader import MigrationLoader
from tests.database.testapp.models import Author, Book, Tag

pytestmark = pytest.mark.usefixtures("tables")


def _testapp_migrated(loader):
    # testapp has no migrations package; the serializer only reads migrated apps.
    loader.migrated_apps = {"testapp"}
    loader.unmigrated_apps = set()


async def test_rows_round_trip_through_the_serialized_text():
    ann = await Author.objects.create(name="Ann", age=3)
    book = await Book.objects.create(title="Dune", author=ann, data={"k": 1})
    red, blue = await Tag.objects.create(name="red"), await Tag.objects.create(name="blue")
    await book.tags.add(red, blue)

    with mock.patch.object(MigrationLoader, "load_disk", _testapp_migrated):
        text = await connection.creation.serialize_db_to_string()
    rows = {(row["model"], row["pk"]): row["fields"] for row in json.loads(text)}
    assert rows[("testapp.author", ann.pk)]["name"] == "Ann"
    assert rows[("testapp.book", book.pk)]["author"] == ann.pk
    assert sorted(rows[("testapp.book", book.pk)]["tags"]) == sorted([red.pk, blue.pk])

    await Book.objects.all().delete()
    await Tag.objects.all().delete()
    await Author.objects.all().delete()
    await connection.creation.deserialize_db_from_string(text)

    restored = await Book.objects.select_related("author").get(pk=book.pk)
    assert (restored.title, restored.author.name, restored.data) == ("Dune", "Ann", {"k": 1})
    assert sorted([tag.name async for tag in restored.tags.all()]) == ["blue", "red"]


def _nothing_migrated(loader):
    loader.migrated_apps = set()
    loader.unmigrated_apps = {"testapp"}


async def test_apps_without_migrations_are_left_out():
    await Author.objects.create(name="Ann", age=3)
    with mock.patch.object(MigrationLoader, "load_disk", _nothing_migrated):
        assert json.loads(await connection.creation.serialize_db_to_string()) == []
