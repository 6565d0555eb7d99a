"""Run teapot test cases: each test class in one asyncio task, ``TestCase`` classes inside
the shared test transaction (teapot.shared_transaction: every task of their tests leases the
one connection, in turn) with a savepoint rolled back after each test, and
``TransactionTestCase`` classes with the tables flushed after each test. A class's
``fixtures`` (teapot.testing.fixture_files) are loaded once per ``TestCase`` class, in its
transaction before ``setUpTestData``, and before each test of a ``TransactionTestCase``.
Hand-written.

``await run_classes(classes)`` returns ``{test id: (outcome, detail)}`` with outcome one of
``passed``, ``failed``, ``errored``, ``skipped``, ``expected_failure``,
``unexpected_success``. With ``test_timeout`` (seconds), a test whose ``setUp``, body and
``tearDown`` take longer is cancelled and reported as ``errored``; a test that blocks the event
loop itself (a synchronous wait) cannot be interrupted that way.
"""

from __future__ import annotations

import asyncio
import copy
import inspect
import traceback
import unittest

from teapot.db import connections
from teapot.shared_transaction import active, shared_transaction
from teapot.testing.fixture_files import load_fixtures
from teapot.testing.flush import flush
from teapot.testing.testcases import SimpleTestCase, TestCase, TransactionTestCase


class _Rollback(Exception):
    pass


async def _maybe_await(value):
    if inspect.isawaitable(value):
        return await value
    return value


def test_names(cls):
    return unittest.TestLoader().getTestCaseNames(cls)


def test_id(cls, name):
    return f"{cls.__module__}.{cls.__qualname__}.{name}"


def _format(exc):
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))[-6000:]


def _outcome(exc):
    if isinstance(exc, unittest.SkipTest):
        return "skipped", str(exc)
    if isinstance(exc, AssertionError):
        return "failed", _format(exc)
    return "errored", _format(exc)


async def _conditions_skip(item, test):
    for condition in getattr(item, "_teapot_db_conditions", ()):
        for alias in test._databases_names() or ["default"]:
            await connections[alias].ensure_connection()
        if condition.check(test):
            return condition.reason
    return None


async def _support_transactions(aliases) -> bool:
    # As Django's TestCase: on a database without transactions (a MySQL table engine such as
    # MyISAM) its tests run as a TransactionTestCase's, with the class's data set up for each.
    # MySQL's answer is a server fact read when connecting: connect first.
    for alias in aliases:
        await connections[alias].ensure_connection()
    return all(connections[alias].features.supports_transactions for alias in aliases)


async def run_class(cls, results, flush_aliases=None, test_timeout=None):
    names = test_names(cls)
    if not names:
        return
    if getattr(cls, "__unittest_skip__", False):
        for name in names:
            results[test_id(cls, name)] = ("skipped", cls.__unittest_skip_why__)
        return
    is_db = issubclass(cls, TransactionTestCase)
    aliases = cls._databases_names() if issubclass(cls, SimpleTestCase) else []
    probe = cls(names[0])
    reason = await _conditions_skip(cls, probe) if issubclass(cls, SimpleTestCase) else None
    is_atomic = issubclass(cls, TestCase) and await _support_transactions(aliases)
    # Checking the conditions connected: that lease must end before the class's shared
    # transaction begins, or setUpTestData's rows would be written through it, outside the
    # transaction, and outlive the class.
    _give_back_leases(aliases)
    if reason:
        for name in names:
            results[test_id(cls, name)] = ("skipped", reason)
        return
    contexts = list(getattr(cls, "_teapot_class_contexts", ()))
    class_atomics = []
    entered = []
    try:
        for context in contexts:
            context.enable()
            entered.append(context)
        await _maybe_await(cls.setUpClass())
        test_data = {}
        if is_atomic:
            # Every task of the class's tests shares one transaction per alias (fixtures'
            # tasks, an app under test, child tasks), rolled back when the class ends.
            shared = shared_transaction(*aliases)
            await shared.__aenter__()
            class_atomics.append(shared)
            if getattr(cls, "fixtures", None):
                for alias in aliases:
                    await load_fixtures(cls.fixtures, alias)
            before = set(cls.__dict__)
            await _maybe_await(cls.setUpTestData())
            test_data = {k: v for k, v in cls.__dict__.items() if k not in before}
    except Exception as exc:
        outcome = _outcome(exc)
        for name in names:
            results[test_id(cls, name)] = outcome
        await _close_class(cls, class_atomics, entered, setup_done=False)
        return
    try:
        for name in names:
            results[test_id(cls, name)] = await run_test(
                cls, name, aliases, is_db, is_atomic, test_data, flush_aliases, test_timeout
            )
    finally:
        await _close_class(cls, class_atomics, entered, setup_done=True)


async def _close_class(cls, class_atomics, entered, setup_done):
    if setup_done:
        try:
            await _maybe_await(cls.tearDownClass())
        except Exception:
            pass
    for shared in class_atomics:
        _give_back_leases(cls._databases_names())
        await shared.__aexit__(None, None, None)
    for context in reversed(entered):
        context.disable()
    for cleanup in reversed(getattr(cls, "_class_cleanups", [])):
        function, args, kwargs = cleanup
        try:
            await _maybe_await(function(*args, **kwargs))
        except Exception:
            pass
    if hasattr(cls, "_class_cleanups"):
        cls._class_cleanups[:] = []


# MySQL's "SAVEPOINT ... does not exist" (ER_SP_DOES_NOT_EXIST).
_MYSQL_NO_SUCH_SAVEPOINT = 1305


def _savepoint_ended_by_ddl(alias, exc) -> bool:
    """Whether rolling back to a test's savepoint failed because the test ran DDL on a
    database whose DDL commits (MySQL): the commit ended the savepoint. Django's TestCase
    does not fail such a test; what the commit kept is the test's own doing."""
    return (
        not connections[alias].features.can_rollback_ddl
        and connections[alias].vendor == "mysql"
        and getattr(exc, "args", (None,))[:1] == (_MYSQL_NO_SUCH_SAVEPOINT,)
    )


def _give_back_leases(aliases):
    """End this task's leases that a test left open (a cursor never closed): in the shared
    transaction they would keep every other task, and the rollback, waiting."""
    for alias in aliases:
        connections[alias].release_connection()
        shared = active(alias)
        if shared is not None:
            shared.reclaim()  # a wrapper the test made and left holding the connection


async def _close_pools_of_copies():
    """Close the pools that wrappers the test made with settings of their own opened
    (``connection.copy()``, a connection to another database): each such wrapper leases from
    a pool of its own, outside the shared test transaction, whose idle connections would
    otherwise outlive the test. A connection still leased is closed when given back."""
    from teapot.pool import pools

    for pool in pools():
        if connections.settings.get(pool.alias) is not pool.settings_dict:
            await pool.close()


def _enter_available_apps(available):
    from teapot.apps import apps
    from teapot.testing.utils import _settings_changed

    apps.set_available_apps(available)
    _settings_changed("INSTALLED_APPS", available, True)


def _leave_available_apps():
    from teapot.apps import apps
    from teapot.conf import settings
    from teapot.testing.utils import _settings_changed

    apps.unset_available_apps()
    _settings_changed("INSTALLED_APPS", settings.INSTALLED_APPS, False)


def _timed_out(exc):
    # asyncio.timeout() raises TimeoutError from the CancelledError it injected.
    return isinstance(exc.__cause__, asyncio.CancelledError) or isinstance(exc.__context__, asyncio.CancelledError)


async def run_test(cls, name, aliases, is_db, is_atomic, test_data, flush_aliases, test_timeout=None):
    test = cls(name)
    method = getattr(test, name)
    expecting_failure = getattr(method, "__unittest_expecting_failure__", False) or getattr(
        cls, "__unittest_expecting_failure__", False
    )
    if getattr(method, "__unittest_skip__", False):
        return "skipped", method.__unittest_skip_why__
    if isinstance(test, SimpleTestCase):
        try:
            reason = await _conditions_skip(method, test)
        except Exception as exc:
            return _outcome(exc)
        if reason:
            return "skipped", reason
    memo = {}
    for key, value in test_data.items():
        try:
            setattr(test, key, copy.deepcopy(value, memo))
        except Exception:
            setattr(test, key, value)
    checkpoints = []
    outcome = ("passed", "")
    # A TransactionTestCase naming its available_apps sees only those apps in the registry for
    # the test (the loader, the flush and the migrate commands with it), as Django's runner does.
    available = getattr(cls, "available_apps", None) if is_db else None
    if available is not None:
        try:
            _enter_available_apps(available)
        except Exception as exc:
            return _outcome(exc)
    try:
        if is_atomic:
            _give_back_leases(aliases)  # setUpTestData's, or the previous test's
            for alias in aliases:
                checkpoints.append((alias, await active(alias).checkpoint()))
        try:
            async with asyncio.timeout(test_timeout):
                if is_db:
                    # Each test starts with an empty query log, so that what an earlier test
                    # logged (under DEBUG or a capture) is not counted against this one.
                    for alias in aliases:
                        connections[alias].queries_log.clear()
                if is_db and not is_atomic and getattr(cls, "fixtures", None):
                    # Flushed after each test: the rows are loaded again for each.
                    for alias in aliases:
                        await load_fixtures(cls.fixtures, alias)
                if not is_atomic and issubclass(cls, TestCase):
                    await _maybe_await(cls.setUpTestData())  # on a database without transactions
                await _maybe_await(test.setUp())
                try:
                    await _maybe_await(method())
                finally:
                    await _maybe_await(test.tearDown())
        except BaseException as exc:
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            if isinstance(exc, asyncio.CancelledError):
                outcome = ("errored", "cancelled")
            elif isinstance(exc, TimeoutError) and test_timeout is not None and _timed_out(exc):
                outcome = ("errored", f"timed out after {test_timeout}s\n" + _format(exc))
            else:
                outcome = _outcome(exc)
        while test._cleanups:
            function, args, kwargs = test._cleanups.pop()
            try:
                await _maybe_await(function(*args, **kwargs))
            except Exception as exc:
                if outcome[0] == "passed":
                    outcome = _outcome(exc)
    finally:
        _give_back_leases(aliases)
        await _close_pools_of_copies()
        for alias, sid in reversed(checkpoints):
            try:
                await active(alias).rollback_to(sid)
            except Exception as exc:
                if _savepoint_ended_by_ddl(alias, exc):
                    continue  # as Django's TestCase, which leaves the rollback to the class's end
                if outcome[0] == "passed":
                    outcome = _outcome(exc)
        if is_db and not is_atomic:
            try:
                # Only the available apps' tables are emptied: on PostgreSQL the others that
                # reference them must be emptied with them.
                await flush(flush_aliases or aliases, allow_cascade=available is not None)
            except Exception as exc:
                if outcome[0] == "passed":
                    outcome = _outcome(exc)
        if available is not None:
            _leave_available_apps()
    if expecting_failure:
        if outcome[0] in ("failed", "errored"):
            return "expected_failure", outcome[1]
        if outcome[0] == "passed":
            return "unexpected_success", ""
    return outcome


async def run_classes(classes, flush_aliases=None, on_result=None, test_timeout=None):
    """Run each class in a task of its own, one after the other. ``on_result(cls, results)``
    is called after each class; ``test_timeout`` bounds each test (seconds)."""
    results = {}
    for cls in classes:
        class_results = {}
        task = asyncio.ensure_future(run_class(cls, class_results, flush_aliases, test_timeout))
        try:
            await task
        except Exception as exc:
            outcome = _outcome(exc)
            for name in test_names(cls):
                class_results.setdefault(test_id(cls, name), outcome)
        results.update(class_results)
        if on_result is not None:
            on_result(cls, class_results)
    return results


def collect(module):
    """The test classes of a module, in definition order."""
    classes = []
    for value in vars(module).values():
        if isinstance(value, type) and issubclass(value, unittest.TestCase) and value.__module__ == module.__name__:
            classes.append(value)
    return classes
