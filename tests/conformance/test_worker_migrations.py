"""The conformance worker's databases as Django's runner leaves them: the contrib apps'
migrations turned off (their tables made directly), so a test's migrate neither lists nor
records them. Run in a process of its own, which sets teapot up with contrib.auth."""

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
    from tools.conformance import worker

    teapot.setup(
        {"default": {"ENGINE": "teapot.backends.aiosqlite", "NAME": ":memory:"}},
        installed_apps=["teapot.contrib.contenttypes", "teapot.contrib.auth", "tests.database.testapp"],
        migration_modules=dict(worker.UNMIGRATED_CONTRIB_APPS),
    )

    async def main():
        from teapot.db import connection
        from teapot.db.migrations.loader import MigrationLoader
        from teapot.db.migrations.recorder import MigrationRecorder

        assert await worker.create_migration_tables(["default"]) == []
        loader = MigrationLoader(connection)
        await loader.build_graph()
        print(sorted(loader.unmigrated_apps & {"auth", "contenttypes"}))
        print(len(await MigrationRecorder(connection).applied_migrations()))

    asyncio.run(main())
    """
)


def test_contrib_apps_are_unmigrated_and_nothing_is_recorded():
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(ROOT)], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["['auth',", "'contenttypes']", "0"]


def test_the_tests_temporary_files_go_to_the_runs_own_folder(tmp_path):
    import tempfile

    from tools.conformance.worker import private_tempdir

    before = tempfile.gettempdir()
    with private_tempdir(tmp_path) as folder:
        with tempfile.TemporaryDirectory() as made:
            assert Path(made).parent == folder == tmp_path / "tmp"
    assert tempfile.gettempdir() == before
