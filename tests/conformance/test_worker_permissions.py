"""The conformance worker prepares each database as Django's test runner finds it after
migrating: every installed model has its content type and its four default permissions
(post_migrate). Run in a process of its own, which sets teapot up with contrib.auth."""

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
        {"default": {"ENGINE": "teapot.backends.aiosqlite", "NAME": ":memory:"}},
        installed_apps=["teapot.contrib.contenttypes", "teapot.contrib.auth", "tests.database.testapp"],
    )

    async def main():
        from tools.conformance import worker
        from teapot.contrib.auth.models import Permission
        from teapot.contrib.contenttypes.models import ContentType
        from tests.database.testapp.models import Book

        problems = await worker.create_tables(["default"])
        problems += await worker.create_content_types(["default"])
        problems += await worker.create_permissions(["default"])
        assert problems == [], problems
        book = await ContentType.objects.get_for_model(Book)
        names = sorted([p.codename async for p in Permission.objects.filter(content_type=book)])
        print(names)

    asyncio.run(main())
    """
)


def test_worker_creates_the_default_permissions():
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(ROOT)], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "['add_book', 'change_book', 'delete_book', 'view_book']"
