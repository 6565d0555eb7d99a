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


def test_a_side_effect_for_a_coroutine_function_is_wrapped():
    source = """
    class T(TestCase):
        def test_x(self):
            with mock.patch("teapot.db.backends.base.base.BaseDatabaseWrapper.connect", side_effect=mocked, autospec=True):
                pass
            with mock.patch("teapot.db.migrations.loader.MigrationLoader.migrations_module", side_effect=f):
                pass
    """
    code, context = run(patched_coroutines, source, decide=False)
    assert 'connect", side_effect=coroutine_side_effect(mocked), autospec=True)' in code
    assert 'migrations_module", side_effect=f)' in code  # a sync target: as it is
    assert "coroutine_side_effect" in context.helpers


def test_coroutine_side_effect_awaits_what_a_sync_side_effect_returns():
    from unittest import mock

    from tools.conformance.shims import coroutine_side_effect

    async def original(x):
        return x * 2

    mocked = mock.AsyncMock(side_effect=coroutine_side_effect(lambda x: original(x) if x else 0))
    assert asyncio.run(mocked(3)) == 6
    assert asyncio.run(mocked(0)) == 0
    error = ValueError("no")
    assert coroutine_side_effect(error) is error and coroutine_side_effect(ValueError) is ValueError
    assert coroutine_side_effect(original) is original
