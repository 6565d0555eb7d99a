"""The conformance rule ``patched_coroutines`` (tools/conformance/rules/patched_coroutines.py)
and its helper ``coroutine_mock``, on small snippets written for these tests."""

import asyncio

from tools.conformance.rules import patched_coroutines
from tools.conformance.shims import coroutine_mock
from tests.conformance.support import run


def test_patching_a_coroutine_function_uses_coroutine_mock():
    source = """
    class T(TestCase):
        @mock.patch("teapot.db.migrations.executor.MigrationExecutor.migrate")
        def test_x(self, mocked):
            with mock.patch("teapot.db.migrations.loader.MigrationLoader.migrations_module"):
                pass
            with mock.patch("teapot.db.migrations.executor.MigrationExecutor.migrate", new=f):
                pass
    """
    code, context = run(patched_coroutines, source, decide=False)
    assert '@mock.patch("teapot.db.migrations.executor.MigrationExecutor.migrate", new_callable=coroutine_mock)' in code
    assert 'mock.patch("teapot.db.migrations.loader.MigrationLoader.migrations_module"):' in code  # sync
    assert 'migrate", new=f)' in code  # the test chose the replacement
    assert "coroutine_mock" in context.helpers


def test_coroutine_mock_records_the_call_and_answers_like_a_sync_mock():
    mocked = coroutine_mock()

    async def use():
        state = await mocked(1, plan=[])
        with state.apps.bulk_update():
            # What the code after it awaits (a post_migrate receiver's queries) answers too.
            found = await state.apps.get_model("contenttypes", "ContentType").objects.get_for_models()
            return list(found.items())

    assert asyncio.run(use()) == []

    mocked.assert_called_once_with(1, plan=[])
    assert asyncio.run(coroutine_mock(return_value=3)()) == 3
