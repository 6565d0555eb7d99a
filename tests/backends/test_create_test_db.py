"""connection.creation.create_test_db() migrates the test database it creates (every installed
app: the migrated ones by their migrations, the others from their models) and returns its
name; with no cache framework in teapot there is no cache table to create. Before, the
migrate command's coroutine was never awaited and the missing createcachetable command
raised. Run in a process of its own on SQLite files: it repoints the connection."""

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """\
    import asyncio, sys
    sys.path.insert(0, sys.argv[1])
    import teapot

    teapot.setup(
        {"default": {"ENGINE": "teapot.backends.aiosqlite", "NAME": sys.argv[2], "TEST": {"NAME": sys.argv[3]}}},
        installed_apps=["teapot.contrib.contenttypes", "teapot.contrib.auth", "tests.database.testapp"],
    )

    async def main():
        from teapot.db import connection
        from teapot.db.migrations.recorder import MigrationRecorder

        name = await connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        tables = set(await connection.introspection.table_names())
        applied = {app for app, _ in await MigrationRecorder(connection).applied_migrations()}
        print(name == sys.argv[3], sorted(applied))
        print(sorted(t for t in tables if t in {"django_content_type", "auth_user", "testapp_author"}))
        await connection.close()

    asyncio.run(main())
    """
)


def test_create_test_db_migrates_the_new_database(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(ROOT), str(tmp_path / "main.db"), str(tmp_path / "test.db")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.splitlines() == [
        "True ['auth', 'contenttypes']",
        "['auth_user', 'django_content_type', 'testapp_author']",
    ]
