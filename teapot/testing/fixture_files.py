"""Fixture files of test cases: ``fixtures = ["users"]`` on a ``TestCase`` names files of rows
(JSON, JSON lines or XML, as the serializers write them) that are saved into each of the
test's databases before its tests run. Hand-written.

A label is a file name with or without its format's extension (``"users"``,
``"users.json"``), or a path. A bare name is looked for in the ``fixtures`` folder of every
installed app and in ``settings.FIXTURE_DIRS``; every file found is loaded. A label that
finds no file raises ``CommandError``. Rows are saved as the deserializer gives them (a row
may name a row of a later file or of a later line: the key checks wait until all are
saved), then the keys are checked and the tables' sequences moved past the loaded keys."""

from __future__ import annotations

import os
from pathlib import Path


def _formats():
    from teapot.core import serializers

    return [name for name in serializers.get_public_serializer_formats() if name != "yaml"]


def _folders():
    from teapot.apps import apps
    from teapot.conf import settings

    for config in apps.get_app_configs():
        folder = Path(config.path) / "fixtures"
        if folder.is_dir():
            yield folder
    for folder in getattr(settings, "FIXTURE_DIRS", ()):
        yield Path(folder)


def fixture_files(label):
    """``[(path, format)]``: the files ``label`` names."""
    formats = _formats()
    given = Path(label)
    stem, _, extension = given.name.rpartition(".")
    if extension in formats:
        names, only = [given.name], extension
    else:
        names, only = [f"{given.name}.{name}" for name in formats], None
    if given.parent != Path(".") or given.is_absolute():
        folders = [given.parent if given.is_absolute() else Path(os.getcwd()) / given.parent]
    else:
        folders = list(_folders())
    found = []
    for folder in folders:
        for name in names:
            path = folder / name
            if path.is_file():
                found.append((path, only or name.rpartition(".")[2]))
    if not found:
        from teapot.core.management.base import CommandError

        raise CommandError(f"No fixture named {stem if only else given.name!r} found.")
    return found


async def load_fixtures(labels, using):
    """Save the rows of the fixture files ``labels`` name into the database ``using``."""
    from teapot.db import connections, transaction

    files = [found for label in labels for found in fixture_files(label)]
    # One transaction: the key checks a database defers (PostgreSQL's) wait for its end.
    async with transaction.atomic(using=using):
        await _load(files, connections[using], using)


async def _load(files, connection, using):
    from teapot.core import serializers
    from teapot.core.management.color import no_style
    from teapot.db import router

    models = {}
    waiting = []  # rows whose keys named rows not saved yet
    async with connection.constraint_checks_disabled():
        for path, format in files:
            with open(path, encoding="utf-8") as stream:
                rows = serializers.deserialize(format, stream, using=using, handle_forward_references=True)
                async for row in rows:
                    model = type(row.object)
                    if not router.allow_migrate_model(using, model):
                        continue
                    await row.save(using=using)
                    models[model._meta.db_table] = model
                    if row.deferred_fields:
                        waiting.append(row)
        for row in waiting:
            await row.save_deferred_fields(using=using)
    if not models:
        return
    await connection.check_constraints(table_names=list(models))
    statements = connection.ops.sequence_reset_sql(no_style(), list(models.values()))
    if statements:
        async with connection.cursor() as cursor:
            for sql in statements:
                await cursor.execute(sql)
