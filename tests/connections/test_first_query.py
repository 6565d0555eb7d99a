"""The first statement of a process on an alias may need the server's facts (version,
features) before a connection read them: saving a model with a db_default chooses its
RETURNING columns from them. Run in a fresh interpreter, where nothing has connected yet."""

import subprocess
import sys
import textwrap

from tests.database.harness import DATABASE
from tests.database.databases import URLS

PROGRAM = textwrap.dedent(
    """
    import asyncio
    import teapot

    # Two aliases on one database: "schema" makes the table, so "default" has never connected
    # when it saves.
    teapot.setup({{"default": {url!r}, "schema": {url!r}}})

    from teapot.db import connections, models
    from teapot.db.models.functions import Now

    class FirstRow(models.Model):
        label = models.CharField(max_length=10)
        count = models.IntegerField(db_default=5)
        at = models.DateTimeField(db_default=Now())

        class Meta:
            app_label = "first_query"

    async def main():
        async with connections["schema"].schema_editor() as editor:
            await editor.create_model(FirstRow)
        try:
            row = await FirstRow.objects.create(label="first")
            again = await FirstRow.objects.aget(pk=row.pk)
            print(again.label, again.count, again.at is not None)
        finally:
            async with connections["schema"].schema_editor() as editor:
                await editor.delete_model(FirstRow)
            await teapot.close()

    asyncio.run(main())
    """
)


def test_first_save_of_a_process_with_db_default(tmp_path):
    # Both aliases must reach one database: a file, on SQLite, not two in-memory ones.
    url = f"sqlite:///{tmp_path / 'first.db'}" if DATABASE == "sqlite" else URLS[DATABASE]
    result = subprocess.run([sys.executable, "-c", PROGRAM.format(url=url)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["first", "5", "True"]
