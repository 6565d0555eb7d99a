"""The conformance rule ``sync_bridges`` (tools/conformance/rules/sync_bridges.py) on small before/after
snippets written for these tests."""

from tools.conformance.rules import sync_bridges
from tests.conformance.support import run, full


def test_sync_bridges_leave_sync_code():
    code, _ = run(sync_bridges, "@async_to_sync\ndef f():\n    return g(1)\n", decide=False)
    assert code == "@async_to_sync\ndef f():\n    return g(1)\n"


def test_sync_bridges():
    source = """
    class T(TestCase):
        @async_to_sync
        async def test_x(self):
            await sync_to_async(Model.objects.create)(field=1)
    """
    code = full(source)
    assert "@async_to_sync" not in code
    assert "await aw(Model.objects.create(field=1))" in code
