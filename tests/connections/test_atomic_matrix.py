"""Django's own transaction tests, ported to teapot's async API.

From Django 5.2.19 ``tests/transactions/tests.py``:

- ``AtomicTests`` (``TestAtomicTests``), run three times like upstream, the run named in the
  test id: plain (``AtomicTests``), inside an enclosing atomic block
  (``AtomicInsideTransactionTests``) and with autocommit turned off
  (``AtomicWithoutAutocommitTests``);
- ``AtomicMergeTests``, ``AtomicErrorsTests``, ``AtomicMySQLTests``, ``AtomicMiscTests``,
  ``NonAutocommitTests``;
- ``DurableTransactionTests`` and ``DurableTests`` (``TestDurableTests``, one run each:
  ``DurableTests`` runs inside the two atomic blocks Django's ``TestCase`` opens, marked
  ``_from_testcase`` as it marks them, and rolled back as it rolls them back).

From ``tests/transaction_hooks/tests.py``: ``TestConnectionOnCommit``, run twice: with sync
callables as hooks, as in Django, and with async ones, which teapot accepts too.

Each class keeps Django's name (prefixed ``Test`` where pytest needs it) and each test its
Django name and assertions. Django's ``Reporter`` and ``Thing`` are ``Author`` here: a
reporter's first and last names make the unique ``name``, a thing's ``num`` is ``age``.
Hooks that query the database are async callables (sync code cannot query in teapot), as
are the callable instance atomic wraps and the functions it decorates.

Every test of those two Django modules is ported; none is left out. Skips follow Django's
conditions (database features, MySQL only).
"""

import asyncio
import contextlib
import functools
import inspect
import logging
import re
import threading

import pytest

from teapot.db import DatabaseError, Error, IntegrityError, OperationalError, connection, transaction
from tests.database.testapp.models import Author

pytestmark = pytest.mark.usefixtures("tables")


def raises_message(exc_type, msg):
    """assertRaisesMessage: the exception's message contains msg."""
    return pytest.raises(exc_type, match=re.escape(msg))


def skip_unless_db_feature(*features):
    return pytest.mark.skipif(
        not all(getattr(connection.features, feature) for feature in features),
        reason=f"Database doesn't support feature(s): {', '.join(features)}",
    )


def skip_if_db_feature(*features):
    return pytest.mark.skipif(
        any(getattr(connection.features, feature) for feature in features),
        reason=f"Database has feature(s) {', '.join(features)}",
    )


async def reporters():
    return await Author.objects.all()


def run_in_variant(cls):
    """Run each test of ``cls`` inside ``self.variant()``, which a fixture picks: a
    connection belongs to its task, and pytest-asyncio runs fixtures in tasks of their own,
    so an atomic block or an autocommit switch must be entered in the test's task."""
    for name, test in list(vars(cls).items()):
        if name.startswith("test_") and inspect.iscoroutinefunction(test):

            @functools.wraps(test)
            async def in_variant(self, *args, __test=test, **kwargs):
                async with self.variant():
                    return await __test(self, *args, **kwargs)

            setattr(cls, name, in_variant)
    return cls


@contextlib.asynccontextmanager
async def plain():
    yield


@contextlib.asynccontextmanager
async def autocommit_off():
    await transaction.set_autocommit(False)
    try:
        yield
    finally:
        await transaction.rollback()
        await transaction.set_autocommit(True)


def atomic_as_in_testcase():
    """An atomic block as Django's TestCase opens one around a class and a test."""
    atomic = transaction.atomic()
    atomic._from_testcase = True
    return atomic


@skip_unless_db_feature("uses_savepoints")
@run_in_variant
class TestAtomicTests:
    """atomic() as a block and as a decorator; the decorator is the block underneath,
    so most cases use the block."""

    @pytest.fixture(
        autouse=True, params=["AtomicTests", "AtomicInsideTransactionTests", "AtomicWithoutAutocommitTests"]
    )
    def run(self, request, tables):
        # All basic tests for atomic should also pass within an existing transaction, and
        # when autocommit is turned off.
        self.variant = {
            "AtomicTests": plain,
            "AtomicInsideTransactionTests": transaction.atomic,
            "AtomicWithoutAutocommitTests": autocommit_off,
        }[request.param]

    async def test_decorator_syntax_commit(self):
        @transaction.atomic
        async def make_reporter():
            return await Author.objects.create(name="Tintin")

        reporter = await make_reporter()
        assert await reporters() == [reporter]

    async def test_decorator_syntax_rollback(self):
        @transaction.atomic
        async def make_reporter():
            await Author.objects.create(name="Haddock")
            raise Exception("Oops, that's his last name")

        with raises_message(Exception, "Oops"):
            await make_reporter()
        assert await reporters() == []

    async def test_alternate_decorator_syntax_commit(self):
        @transaction.atomic()
        async def make_reporter():
            return await Author.objects.create(name="Tintin")

        reporter = await make_reporter()
        assert await reporters() == [reporter]

    async def test_alternate_decorator_syntax_rollback(self):
        @transaction.atomic()
        async def make_reporter():
            await Author.objects.create(name="Haddock")
            raise Exception("Oops, that's his last name")

        with raises_message(Exception, "Oops"):
            await make_reporter()
        assert await reporters() == []

    async def test_commit(self):
        async with transaction.atomic():
            reporter = await Author.objects.create(name="Tintin")
        assert await reporters() == [reporter]

    async def test_rollback(self):
        with raises_message(Exception, "Oops"):
            async with transaction.atomic():
                await Author.objects.create(name="Haddock")
                raise Exception("Oops, that's his last name")
        assert await reporters() == []

    async def test_nested_commit_commit(self):
        async with transaction.atomic():
            reporter1 = await Author.objects.create(name="Tintin")
            async with transaction.atomic():
                reporter2 = await Author.objects.create(name="Archibald Haddock")
        assert await reporters() == [reporter2, reporter1]

    async def test_nested_commit_rollback(self):
        async with transaction.atomic():
            reporter = await Author.objects.create(name="Tintin")
            with raises_message(Exception, "Oops"):
                async with transaction.atomic():
                    await Author.objects.create(name="Haddock")
                    raise Exception("Oops, that's his last name")
        assert await reporters() == [reporter]

    async def test_nested_rollback_commit(self):
        with raises_message(Exception, "Oops"):
            async with transaction.atomic():
                await Author.objects.create(name="Tintin")
                async with transaction.atomic():
                    await Author.objects.create(name="Haddock")
                raise Exception("Oops, that's his first name")
        assert await reporters() == []

    async def test_nested_rollback_rollback(self):
        with raises_message(Exception, "Oops"):
            async with transaction.atomic():
                await Author.objects.create(name="Tintin")
                with raises_message(Exception, "Oops"):
                    async with transaction.atomic():
                        await Author.objects.create(name="Haddock")
                    raise Exception("Oops, that's his last name")
                raise Exception("Oops, that's his first name")
        assert await reporters() == []

    async def test_merged_commit_commit(self):
        async with transaction.atomic():
            reporter1 = await Author.objects.create(name="Tintin")
            async with transaction.atomic(savepoint=False):
                reporter2 = await Author.objects.create(name="Archibald Haddock")
        assert await reporters() == [reporter2, reporter1]

    async def test_merged_commit_rollback(self):
        async with transaction.atomic():
            await Author.objects.create(name="Tintin")
            with raises_message(Exception, "Oops"):
                async with transaction.atomic(savepoint=False):
                    await Author.objects.create(name="Haddock")
                    raise Exception("Oops, that's his last name")
        assert await reporters() == []

    async def test_merged_rollback_commit(self):
        with raises_message(Exception, "Oops"):
            async with transaction.atomic():
                await Author.objects.create(name="Tintin")
                async with transaction.atomic(savepoint=False):
                    await Author.objects.create(name="Haddock")
                raise Exception("Oops, that's his first name")
        assert await reporters() == []

    async def test_merged_rollback_rollback(self):
        with raises_message(Exception, "Oops"):
            async with transaction.atomic():
                await Author.objects.create(name="Tintin")
                with raises_message(Exception, "Oops"):
                    async with transaction.atomic(savepoint=False):
                        await Author.objects.create(name="Haddock")
                    raise Exception("Oops, that's his last name")
                raise Exception("Oops, that's his first name")
        assert await reporters() == []

    async def test_reuse_commit_commit(self):
        atomic = transaction.atomic()
        async with atomic:
            reporter1 = await Author.objects.create(name="Tintin")
            async with atomic:
                reporter2 = await Author.objects.create(name="Archibald Haddock")
        assert await reporters() == [reporter2, reporter1]

    async def test_reuse_commit_rollback(self):
        atomic = transaction.atomic()
        async with atomic:
            reporter = await Author.objects.create(name="Tintin")
            with raises_message(Exception, "Oops"):
                async with atomic:
                    await Author.objects.create(name="Haddock")
                    raise Exception("Oops, that's his last name")
        assert await reporters() == [reporter]

    async def test_reuse_rollback_commit(self):
        atomic = transaction.atomic()
        with raises_message(Exception, "Oops"):
            async with atomic:
                await Author.objects.create(name="Tintin")
                async with atomic:
                    await Author.objects.create(name="Haddock")
                raise Exception("Oops, that's his first name")
        assert await reporters() == []

    async def test_reuse_rollback_rollback(self):
        atomic = transaction.atomic()
        with raises_message(Exception, "Oops"):
            async with atomic:
                await Author.objects.create(name="Tintin")
                with raises_message(Exception, "Oops"):
                    async with atomic:
                        await Author.objects.create(name="Haddock")
                    raise Exception("Oops, that's his last name")
                raise Exception("Oops, that's his first name")
        assert await reporters() == []

    async def test_force_rollback(self):
        async with transaction.atomic():
            await Author.objects.create(name="Tintin")
            assert not transaction.get_rollback()
            transaction.set_rollback(True)
        assert await reporters() == []

    async def test_prevent_rollback(self):
        async with transaction.atomic():
            reporter = await Author.objects.create(name="Tintin")
            sid = await transaction.savepoint()
            with pytest.raises(DatabaseError):
                async with transaction.atomic(savepoint=False):
                    async with connection.cursor() as cursor:
                        await cursor.execute(f"SELECT no_such_col FROM {Author._meta.db_table}")
            assert transaction.get_rollback()
            transaction.set_rollback(False)
            await transaction.savepoint_rollback(sid)
        assert await reporters() == [reporter]

    @skip_unless_db_feature("can_release_savepoints")
    async def test_failure_on_exit_transaction(self):
        async with transaction.atomic():
            with pytest.raises(DatabaseError):
                async with transaction.atomic():
                    await Author.objects.create(name="Tintin")
                    assert len(await Author.objects.all()) == 1
                    connection.savepoint_ids.append("12")
            with pytest.raises(transaction.TransactionManagementError):
                len(await Author.objects.all())
            assert connection.needs_rollback is True
            if connection.savepoint_ids:
                connection.savepoint_ids.pop()
        assert await reporters() == []


@skip_unless_db_feature("uses_savepoints")
class TestAtomicMergeTests:
    """Blocks with savepoint=False join the enclosing block's fate."""

    async def test_merged_outer_rollback(self):
        async with transaction.atomic():
            await Author.objects.create(name="Tintin")
            async with transaction.atomic(savepoint=False):
                await Author.objects.create(name="Archibald Haddock")
                with raises_message(Exception, "Oops"):
                    async with transaction.atomic(savepoint=False):
                        await Author.objects.create(name="Calculus")
                        raise Exception("Oops, that's his last name")
                # No savepoint undid Calculus: the whole block is doomed. Lift the flag
                # only long enough to count the rows.
                assert transaction.get_rollback()
                transaction.set_rollback(False)
                assert await Author.objects.count() == 3
                transaction.set_rollback(True)
            assert transaction.get_rollback()
            transaction.set_rollback(False)
            assert await Author.objects.count() == 3
            transaction.set_rollback(True)
        assert await reporters() == []

    async def test_merged_inner_savepoint_rollback(self):
        async with transaction.atomic():
            reporter = await Author.objects.create(name="Tintin")
            async with transaction.atomic():
                await Author.objects.create(name="Archibald Haddock")
                with raises_message(Exception, "Oops"):
                    async with transaction.atomic(savepoint=False):
                        await Author.objects.create(name="Calculus")
                        raise Exception("Oops, that's his last name")
                # No savepoint undid Calculus: the whole block is doomed. Lift the flag
                # only long enough to count the rows.
                assert transaction.get_rollback()
                transaction.set_rollback(False)
                assert await Author.objects.count() == 3
                transaction.set_rollback(True)
            assert await Author.objects.count() == 1
        assert await reporters() == [reporter]


@skip_unless_db_feature("uses_savepoints")
class TestAtomicErrorsTests:
    forbidden_atomic_msg = "This is forbidden when an 'atomic' block is active."

    async def test_atomic_prevents_setting_autocommit(self):
        autocommit = transaction.get_autocommit()
        async with transaction.atomic():
            with raises_message(transaction.TransactionManagementError, self.forbidden_atomic_msg):
                await transaction.set_autocommit(not autocommit)
        assert connection.autocommit == autocommit

    async def test_atomic_prevents_calling_transaction_methods(self):
        async with transaction.atomic():
            with raises_message(transaction.TransactionManagementError, self.forbidden_atomic_msg):
                await transaction.commit()
            with raises_message(transaction.TransactionManagementError, self.forbidden_atomic_msg):
                await transaction.rollback()

    async def test_atomic_prevents_queries_in_broken_transaction(self):
        r1 = await Author.objects.create(name="Archibald Haddock")
        async with transaction.atomic():
            r2 = Author(name="Cuthbert Calculus", id=r1.id)
            with pytest.raises(IntegrityError):
                await r2.save(force_insert=True)
            msg = (
                "An error occurred in the current transaction. You can't "
                "execute queries until the end of the 'atomic' block."
            )
            with raises_message(transaction.TransactionManagementError, msg) as cm:
                await r2.save(force_update=True)
        assert isinstance(cm.value.__cause__, IntegrityError)
        assert (await Author.objects.get(pk=r1.pk)).name == "Archibald Haddock"

    @skip_if_db_feature("atomic_transactions")
    async def test_atomic_allows_queries_after_fixing_transaction(self):
        r1 = await Author.objects.create(name="Archibald Haddock")
        async with transaction.atomic():
            r2 = Author(name="Cuthbert Calculus", id=r1.id)
            with pytest.raises(IntegrityError):
                await r2.save(force_insert=True)
            transaction.set_rollback(False)
            await r2.save(force_update=True)
        assert (await Author.objects.get(pk=r1.pk)).name == "Cuthbert Calculus"

    @skip_unless_db_feature("test_db_allows_multiple_connections")
    async def test_atomic_prevents_queries_in_broken_transaction_after_client_close(self):
        async with transaction.atomic():
            await Author.objects.create(name="Archibald Haddock")
            await connection.close()
            # The block lost its transaction: any statement now is an error (Django's
            # broken-transaction one, or the driver's for a closed connection).
            with pytest.raises(Error):
                await Author.objects.create(name="Cuthbert Calculus")
        assert await Author.objects.count() == 0


@skip_unless_db_feature("uses_savepoints")
@pytest.mark.skipif(connection.vendor != "mysql", reason="MySQL-specific behaviors")
class TestAtomicMySQLTests:
    async def test_implicit_savepoint_rollback(self):
        """After a deadlock MySQL has already dropped the savepoints (Django #22291)."""
        await Author.objects.create(id=1, name="1")
        await Author.objects.create(id=2, name="2")

        main_thread_ready = threading.Event()

        async def other():
            try:
                async with transaction.atomic():
                    await Author.objects.select_for_update().get(id=1)
                    main_thread_ready.wait()
                    # Holds row 1 and now wants row 2, which the main thread holds.
                    await Author.objects.exclude(id=1).update(id=2)
            finally:
                await connection.close()

        other_thread = threading.Thread(target=asyncio.run, args=(other(),))
        other_thread.start()

        with raises_message(OperationalError, "Deadlock found"):
            async with transaction.atomic():
                async with transaction.atomic():
                    await Author.objects.select_for_update().get(id=2)
                    main_thread_ready.set()
                    await asyncio.sleep(1)  # the other thread is blocked: no event can say when
                    # Holds row 2 and wants row 1: the server picks this side as the victim.
                    await Author.objects.exclude(id=2).update(id=1)

        await asyncio.to_thread(other_thread.join)


class TestAtomicMiscTests:
    async def test_wrap_callable_instance(self):
        """atomic() decorates callable objects, not only functions (Django #20028)."""

        class Callable:
            async def __call__(self):
                pass

        transaction.atomic(Callable())

    @skip_unless_db_feature("can_release_savepoints")
    async def test_atomic_does_not_leak_savepoints_on_failure(self):
        """A rolled-back savepoint is released too (Django #23074)."""

        with pytest.raises(Error):
            async with transaction.atomic():
                with raises_message(Exception, "Oops"):
                    async with transaction.atomic():
                        sid = connection.savepoint_ids[-1]
                        raise Exception("Oops")
                # Already released by the inner block's rollback, so this must fail.
                await connection.savepoint_rollback(sid)

    async def test_mark_for_rollback_on_error_in_transaction(self):
        async with transaction.atomic(savepoint=False):
            with raises_message(Exception, "Oops"):
                with transaction.mark_for_rollback_on_error():
                    assert not transaction.get_rollback()

                    raise Exception("Oops")

            assert transaction.get_rollback()

            msg = "You can't execute queries until the end of the 'atomic' block."
            with raises_message(transaction.TransactionManagementError, msg):
                await Author.objects.create()

        await Author.objects.create()

    async def test_mark_for_rollback_on_error_in_autocommit(self):
        assert transaction.get_autocommit()

        with raises_message(Exception, "Oops"):
            with transaction.mark_for_rollback_on_error():
                assert not transaction.get_connection().needs_rollback

                raise Exception("Oops")

        assert not transaction.get_connection().needs_rollback

        await Author.objects.create()


@run_in_variant
class TestNonAutocommitTests:
    variant = staticmethod(autocommit_off)

    async def test_orm_query_after_error_and_rollback(self):
        """With autocommit off, an error followed by rollback() leaves the ORM usable (Django #27504)."""
        r1 = await Author.objects.create(name="Archibald Haddock")
        r2 = Author(name="Cuthbert Calculus", id=r1.id)
        with pytest.raises(IntegrityError):
            await r2.save(force_insert=True)
        await transaction.rollback()
        await Author.objects.last()

    async def test_orm_query_without_autocommit(self):
        """The ORM works once autocommit is off (Django #24921)."""
        await Author.objects.create(name="Tintin")


@contextlib.asynccontextmanager
async def as_in_testcase():
    if not connection.features.supports_transactions:  # MySQL's MyISAM: as TestCase does
        yield
        return
    async with atomic_as_in_testcase():  # TestCase.setUpClass
        async with atomic_as_in_testcase():  # TestCase._fixture_setup
            yield
            transaction.set_rollback(True)
        transaction.set_rollback(True)


@run_in_variant
class TestDurableTests:
    """DurableTestsBase, run as DurableTransactionTests (TransactionTestCase) and as
    DurableTests (TestCase: inside the class's and the test's atomic blocks)."""

    @pytest.fixture(autouse=True, params=["DurableTransactionTests", "DurableTests"])
    def run(self, request, tables):
        self.variant = as_in_testcase if request.param == "DurableTests" else plain

    async def test_commit(self):
        async with transaction.atomic(durable=True):
            reporter = await Author.objects.create(name="Tintin")
        assert await Author.objects.get() == reporter

    async def test_nested_outer_durable(self):
        async with transaction.atomic(durable=True):
            reporter1 = await Author.objects.create(name="Tintin")
            async with transaction.atomic():
                reporter2 = await Author.objects.create(name="Archibald Haddock")
        assert await reporters() == [reporter2, reporter1]

    async def test_nested_both_durable(self):
        msg = "A durable atomic block cannot be nested within another atomic block."
        async with transaction.atomic(durable=True):
            with raises_message(RuntimeError, msg):
                async with transaction.atomic(durable=True):
                    pass

    async def test_nested_inner_durable(self):
        msg = "A durable atomic block cannot be nested within another atomic block."
        async with transaction.atomic():
            with raises_message(RuntimeError, msg):
                async with transaction.atomic(durable=True):
                    pass

    async def test_sequence_of_durables(self):
        async with transaction.atomic(durable=True):
            reporter = await Author.objects.create(name="Tintin 1")
        assert await Author.objects.get(name="Tintin 1") == reporter
        async with transaction.atomic(durable=True):
            reporter = await Author.objects.create(name="Tintin 2")
        assert await Author.objects.get(name="Tintin 2") == reporter


class ForcedError(Exception):
    pass


async def until(predicate, timeout=5):
    """Let tasks run until predicate() holds (async hooks outside a transaction are tasks)."""
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.01)


class TestConnectionOnCommit:
    """transaction.on_commit(): each test writes rows and registers hooks side by side, and
    checks that the hooks that ran are exactly the rows that stayed."""

    @pytest.fixture(autouse=True, params=["sync hooks", "async hooks"])
    async def setup(self, request, tables):
        await connection.ensure_connection()
        if not connection.features.supports_transactions:
            pytest.skip("Database doesn't support feature(s): supports_transactions")
        self.notified = []
        # Every test runs with sync callables as hooks, as in Django, and with async ones.
        self.async_hooks = request.param == "async hooks"

    def as_kind(self, callback):
        """``callback`` itself, or an async callable of the same name that calls it."""
        if not self.async_hooks:
            return callback

        @functools.wraps(callback)
        async def hook():
            await asyncio.sleep(0)
            return callback()

        return hook

    def notify(self, id_):
        if id_ == "error":
            raise ForcedError()
        self.notified.append(id_)

    async def do(self, num):
        """Write row ``num`` and register a hook that records ``num``."""
        await Author.objects.create(name=f"thing {num}", age=num)
        transaction.on_commit(self.as_kind(lambda: self.notify(num)))

    async def assert_done(self, nums):
        # Outside a transaction an async hook starts at once, as a task.
        await until(lambda: not connection._commit_hook_tasks)
        self.assert_notified(nums)
        assert sorted(t.age for t in await Author.objects.all()) == sorted(nums)

    def assert_notified(self, nums):
        assert self.notified == nums

    def assert_robust_log(self, caplog, message):
        records = [r for r in caplog.records if r.name == "teapot.db.backends.base" and r.levelno >= logging.ERROR]
        assert records, "no ERROR logged by teapot.db.backends.base"
        log_record = records[0]
        assert log_record.getMessage() == message
        assert log_record.exc_info is not None
        raised_exception = log_record.exc_info[1]
        assert isinstance(raised_exception, ForcedError)
        assert str(raised_exception) == "robust callback"

    async def test_executes_immediately_if_no_transaction(self):
        await self.do(1)
        await self.assert_done([1])

    async def test_robust_if_no_transaction(self, caplog):
        def robust_callback():
            raise ForcedError("robust callback")

        with caplog.at_level(logging.ERROR, logger="teapot.db.backends.base"):
            transaction.on_commit(self.as_kind(robust_callback), robust=True)
            await self.do(1)

        await self.assert_done([1])
        self.assert_robust_log(
            caplog,
            "Error calling TestConnectionOnCommit.test_robust_if_no_transaction."
            "<locals>.robust_callback in on_commit() (robust callback).",
        )

    async def test_robust_transaction(self, caplog):
        def robust_callback():
            raise ForcedError("robust callback")

        with caplog.at_level(logging.ERROR, logger="teapot.db.backends"):
            async with transaction.atomic():
                transaction.on_commit(self.as_kind(robust_callback), robust=True)
                await self.do(1)

        await self.assert_done([1])
        self.assert_robust_log(
            caplog,
            "Error calling TestConnectionOnCommit.test_robust_transaction.<locals>."
            "robust_callback in on_commit() during transaction (robust callback).",
        )

    async def test_delays_execution_until_after_transaction_commit(self):
        async with transaction.atomic():
            await self.do(1)
            self.assert_notified([])
        await self.assert_done([1])

    async def test_does_not_execute_if_transaction_rolled_back(self):
        try:
            async with transaction.atomic():
                await self.do(1)
                raise ForcedError()
        except ForcedError:
            pass

        await self.assert_done([])

    async def test_executes_only_after_final_transaction_committed(self):
        async with transaction.atomic():
            async with transaction.atomic():
                await self.do(1)
                self.assert_notified([])
            self.assert_notified([])
        await self.assert_done([1])

    async def test_discards_hooks_from_rolled_back_savepoint(self):
        async with transaction.atomic():
            # one successful savepoint
            async with transaction.atomic():
                await self.do(1)
            # one failed savepoint
            try:
                async with transaction.atomic():
                    await self.do(2)
                    raise ForcedError()
            except ForcedError:
                pass
            async with transaction.atomic():
                await self.do(3)

        await self.assert_done([1, 3])

    async def test_no_hooks_run_from_failed_transaction(self):
        """A failing outer block drops the hooks of its inner blocks too."""
        try:
            async with transaction.atomic():
                async with transaction.atomic():
                    await self.do(1)
                raise ForcedError()
        except ForcedError:
            pass

        await self.assert_done([])

    async def test_inner_savepoint_rolled_back_with_outer(self):
        async with transaction.atomic():
            try:
                async with transaction.atomic():
                    async with transaction.atomic():
                        await self.do(1)
                    raise ForcedError()
            except ForcedError:
                pass
            await self.do(2)

        await self.assert_done([2])

    async def test_no_savepoints_atomic_merged_with_outer(self):
        async with transaction.atomic():
            async with transaction.atomic():
                await self.do(1)
                try:
                    async with transaction.atomic(savepoint=False):
                        raise ForcedError()
                except ForcedError:
                    pass

        await self.assert_done([])

    async def test_inner_savepoint_does_not_affect_outer(self):
        async with transaction.atomic():
            async with transaction.atomic():
                await self.do(1)
                try:
                    async with transaction.atomic():
                        raise ForcedError()
                except ForcedError:
                    pass

        await self.assert_done([1])

    async def test_runs_hooks_in_order_registered(self):
        async with transaction.atomic():
            await self.do(1)
            async with transaction.atomic():
                await self.do(2)
            await self.do(3)

        await self.assert_done([1, 2, 3])

    async def test_hooks_cleared_after_successful_commit(self):
        async with transaction.atomic():
            await self.do(1)
        async with transaction.atomic():
            await self.do(2)

        await self.assert_done([1, 2])  # not [1, 1, 2]

    async def test_hooks_cleared_after_rollback(self):
        try:
            async with transaction.atomic():
                await self.do(1)
                raise ForcedError()
        except ForcedError:
            pass

        async with transaction.atomic():
            await self.do(2)

        await self.assert_done([2])

    @skip_unless_db_feature("test_db_allows_multiple_connections")
    async def test_hooks_cleared_on_reconnect(self):
        async with transaction.atomic():
            await self.do(1)
            await connection.close()

        await connection.connect()

        async with transaction.atomic():
            await self.do(2)

        await self.assert_done([2])

    async def test_error_in_hook_doesnt_prevent_clearing_hooks(self):
        try:
            async with transaction.atomic():
                transaction.on_commit(lambda: self.notify("error"))
        except ForcedError:
            pass

        async with transaction.atomic():
            await self.do(1)

        await self.assert_done([1])

    async def test_db_query_in_hook(self):
        async def hook():
            for t in await Author.objects.all():
                self.notify(t.age)

        async with transaction.atomic():
            await Author.objects.create(name="thing 1", age=1)
            transaction.on_commit(hook)

        await self.assert_done([1])

    async def test_transaction_in_hook(self):
        async def on_commit():
            async with transaction.atomic():
                t = await Author.objects.create(name="thing 1", age=1)
                self.notify(t.age)

        async with transaction.atomic():
            transaction.on_commit(on_commit)

        await self.assert_done([1])

    async def test_hook_in_hook(self):
        async def on_commit(i, add_hook):
            async with transaction.atomic():
                if add_hook:
                    transaction.on_commit(lambda: on_commit(i + 10, False))
                t = await Author.objects.create(name=f"thing {i}", age=i)
                self.notify(t.age)

        async with transaction.atomic():
            transaction.on_commit(lambda: on_commit(1, True))
            transaction.on_commit(lambda: on_commit(2, True))

        await self.assert_done([1, 11, 2, 12])

    async def test_raises_exception_non_autocommit_mode(self):
        def should_never_be_called():
            raise AssertionError("this function should never be called")

        try:
            await connection.set_autocommit(False)
            msg = "on_commit() cannot be used in manual transaction management"
            with raises_message(transaction.TransactionManagementError, msg):
                transaction.on_commit(should_never_be_called)
        finally:
            await connection.set_autocommit(True)

    async def test_raises_exception_non_callable(self):
        msg = "on_commit()'s callback must be a callable."
        with raises_message(TypeError, msg):
            transaction.on_commit(None)

    # teapot: sync and async hooks together.

    async def test_sync_and_async_hooks_run_in_order_registered(self):
        # Mixed: each async hook finishes before the next hook starts.
        async with transaction.atomic():
            for num in (1, 2, 3, 4):
                await Author.objects.create(name=f"thing {num}", age=num)
                notify = functools.partial(self.notify, num)
                transaction.on_commit(notify if num % 2 else self.as_kind(notify))

        await self.assert_done([1, 2, 3, 4])
