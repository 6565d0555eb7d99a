"""Async test cases for teapot. Hand-written.

``SimpleTestCase`` (no database), ``TransactionTestCase`` (tables flushed after each test) and
``TestCase`` (the class runs inside the shared test transaction, teapot.shared_transaction,
opened before ``setUpTestData``; each test runs after a savepoint that is rolled back to, and
the tasks it starts write in the same transaction). Test methods, ``setUp``, ``tearDown`` and
``setUpTestData`` may be ``async def``. Run them with ``teapot.testing.runner``: a test class
runs in one asyncio task, as a transaction belongs to a task.
"""

from __future__ import annotations

import difflib
import inspect
import re
import unittest
from contextlib import contextmanager

from teapot.db import DEFAULT_DB_ALIAS, connections
from teapot.testing.utils import CaptureQueriesContext, modify_settings, override_settings

__all__ = [
    "SimpleTestCase",
    "TestCase",
    "TransactionTestCase",
    "skipIfDBFeature",
    "skipUnlessAnyDBFeature",
    "skipUnlessDBFeature",
]


async def _maybe_await(value):
    if inspect.isawaitable(value):
        return await value
    return value


class _AssertNumQueriesContext(CaptureQueriesContext):
    def __init__(self, test_case, num, connection):
        self.test_case = test_case
        self.num = num
        super().__init__(connection)

    async def __aexit__(self, exc_type, exc_value, traceback):
        await super().__aexit__(exc_type, exc_value, traceback)
        if exc_type is not None:
            return
        executed = len(self)
        self.test_case.assertEqual(
            executed,
            self.num,
            "%d queries executed, %d expected\nCaptured queries were:\n%s"
            % (executed, self.num, "\n".join("%d. %s" % (i, q["sql"]) for i, q in enumerate(self.captured_queries, 1))),
        )


class _CaptureOnCommit:
    def __init__(self, using, execute):
        self.using = using
        self.execute = execute
        self.callbacks = []

    async def __aenter__(self):
        self.start = len(connections[self.using].run_on_commit)
        return self.callbacks

    async def __aexit__(self, exc_type, exc_value, traceback):
        connection = connections[self.using]
        run_on_commit = connection.run_on_commit[self.start :]
        self.callbacks[:] = [func for _sids, func, _robust in run_on_commit]
        if exc_type is None and self.execute:
            # Callbacks may register more callbacks: run until none is left.
            done = 0
            while done < len(run_on_commit):
                for _sids, func, robust in run_on_commit[done:]:
                    done += 1
                    try:
                        await _maybe_await(func())
                    except Exception:
                        if not robust:
                            raise
                new = connection.run_on_commit[self.start + len(run_on_commit) :]
                run_on_commit = run_on_commit + new
                self.callbacks[:] = [func for _sids, func, _robust in run_on_commit]


class _DBCondition:
    def __init__(self, check, reason):
        self.check = check
        self.reason = reason


def _db_condition(check, reason):
    def decorator(test_item):
        conditions = list(getattr(test_item, "_teapot_db_conditions", ()))
        conditions.append(_DBCondition(check, reason))
        if isinstance(test_item, type):
            test_item._teapot_db_conditions = conditions
            return test_item
        if inspect.iscoroutinefunction(test_item):
            import functools

            @functools.wraps(test_item)
            async def wrapper(*args, **kwargs):
                return await test_item(*args, **kwargs)

        else:
            import functools

            @functools.wraps(test_item)
            def wrapper(*args, **kwargs):
                return test_item(*args, **kwargs)

        wrapper._teapot_db_conditions = conditions
        return wrapper

    return decorator


def _features(test):
    aliases = test._databases_names() or [DEFAULT_DB_ALIAS]
    return [connections[alias].features for alias in aliases]


def skipUnlessDBFeature(*features):
    """Skip unless every database of the test has all of ``features``."""
    return _db_condition(
        lambda test: not all(all(getattr(f, name, False) for name in features) for f in _features(test)),
        "Database doesn't support feature(s): %s" % ", ".join(features),
    )


def skipIfDBFeature(*features):
    """Skip if a database of the test has any of ``features``."""
    return _db_condition(
        lambda test: any(any(getattr(f, name, False) for name in features) for f in _features(test)),
        "Database has feature(s) %s" % ", ".join(features),
    )


def skipUnlessAnyDBFeature(*features):
    """Skip unless a database of the test has any of ``features``."""
    return _db_condition(
        lambda test: not all(any(getattr(f, name, False) for name in features) for f in _features(test)),
        "Database doesn't support any of the feature(s): %s" % ", ".join(features),
    )


class SimpleTestCase(unittest.TestCase):
    """A test case without database access. Assertions as in Django's test cases; the ones
    that take a callable (``assertRaises(Exc, func)``) return an awaitable when ``func``
    returns one."""

    databases: set | str = set()

    @classmethod
    def _databases_names(cls, include_mirrors=True):
        if cls.databases == "__all__":
            return list(connections)
        return sorted(cls.databases, key=lambda a: (a != DEFAULT_DB_ALIAS, a))

    async def setUp(self):
        pass

    async def tearDown(self):
        pass

    @classmethod
    async def setUpClass(cls):
        pass

    @classmethod
    async def tearDownClass(cls):
        pass

    def subTest(self, msg=None, **params):
        return _sub_test()

    def settings(self, **kwargs):
        return override_settings(**kwargs)

    def modify_settings(self, **kwargs):
        return modify_settings(**kwargs)

    def _callable_form(self, context, args, kwargs):
        func, *args = args

        async def run():
            with context:
                await _maybe_await(func(*args, **kwargs))

        return run()

    def assertRaises(self, expected_exception, *args, **kwargs):
        if not args:
            return super().assertRaises(expected_exception, **kwargs)
        return self._callable_form(super().assertRaises(expected_exception), args, kwargs)

    def assertRaisesRegex(self, expected_exception, expected_regex, *args, **kwargs):
        if not args:
            return super().assertRaisesRegex(expected_exception, expected_regex, **kwargs)
        return self._callable_form(super().assertRaisesRegex(expected_exception, expected_regex), args, kwargs)

    def assertWarns(self, expected_warning, *args, **kwargs):
        if not args:
            return super().assertWarns(expected_warning, **kwargs)
        return self._callable_form(super().assertWarns(expected_warning), args, kwargs)

    def assertRaisesMessage(self, expected_exception, expected_message, *args, **kwargs):
        context = super().assertRaisesRegex(expected_exception, re.escape(expected_message))
        if not args:
            return context
        return self._callable_form(context, args, kwargs)

    def assertWarnsMessage(self, expected_warning, expected_message, *args, **kwargs):
        context = super().assertWarnsRegex(expected_warning, re.escape(expected_message))
        if not args:
            return context
        return self._callable_form(context, args, kwargs)

    def assertRaisesRegexp(self, *args, **kwargs):
        return self.assertRaisesRegex(*args, **kwargs)

    def assertSequenceEqual(self, seq1, seq2, msg=None, seq_type=None):
        return super().assertSequenceEqual(_evaluated(seq1), _evaluated(seq2), msg, seq_type)

    def assertCountEqual(self, first, second, msg=None):
        return super().assertCountEqual(_evaluated(first), _evaluated(second), msg)

    def assertHTMLEqual(self, html1, html2, msg=None):
        """Fail unless the two HTML fragments have the same structure (teapot.testing.html:
        attribute order and runs of whitespace do not count)."""
        from teapot.testing.html import html_shape

        if html_shape(html1) != html_shape(html2):
            self.fail(self._formatMessage(msg, "%r != %r\n%s" % (html1, html2, text_diff(html1, html2))))

    def assertJSONEqual(self, raw, expected_data, msg=None):
        import json

        data = json.loads(raw) if isinstance(raw, str) else raw
        if isinstance(expected_data, str):
            expected_data = json.loads(expected_data)
        self.assertEqual(data, expected_data, msg=msg)

    def assertInHTML(self, needle, haystack, count=None, msg_prefix=""):  # pragma: no cover
        self.assertIn(needle, haystack)

    def assertXMLEqual(self, xml1, xml2, msg=None):
        """Fail unless the two XML texts are the same document: attribute order, comments,
        processing instructions, the doctype and runs of whitespace in text do not count."""
        if not _same_xml(self, xml1, xml2):
            self.fail(self._formatMessage(msg, "%r != %r\n%s" % (xml1, xml2, text_diff(xml1, xml2))))

    def assertXMLNotEqual(self, xml1, xml2, msg=None):
        """Fail when the two XML texts are the same document (as assertXMLEqual sees it)."""
        if _same_xml(self, xml1, xml2):
            self.fail(self._formatMessage(msg, "%r == %r" % (xml1, xml2)))


_WHITESPACE_RUN = re.compile(r"[ \t\n]{2,}")


def _xml_root(text, wrap):
    """The first element of ``text``, parsed inside a wrapper element when ``wrap``."""
    from xml.dom import Node, minidom

    if wrap:
        text = "<teapot-fragment>" + text + "</teapot-fragment>"
    skipped = (Node.COMMENT_NODE, Node.DOCUMENT_TYPE_NODE, Node.PROCESSING_INSTRUCTION_NODE)
    return next(node for node in minidom.parseString(text).childNodes if node.nodeType not in skipped)


def _xml_shape(element):
    """What two elements must share to be equal: name, attributes, own text (whitespace runs
    collapsed) and the shapes of the child elements, in order."""
    from xml.dom import Node

    text = "".join(node.data for node in element.childNodes if node.nodeType == Node.TEXT_NODE)
    return (
        element.tagName,
        dict(element.attributes.items()),
        _WHITESPACE_RUN.sub(" ", text),
        [_xml_shape(node) for node in element.childNodes if node.nodeType == Node.ELEMENT_NODE],
    )


def _same_xml(test_case, xml1, xml2):
    from xml.parsers.expat import ExpatError

    # A backslash and an n written out in the texts count as a line break.
    xml1, xml2 = (text.strip().replace("\\n", "\n") for text in (xml1, xml2))
    # Unless the first text is a whole document (it has the ``<?xml`` declaration), both may
    # be fragments of several elements: each is parsed inside a wrapper.
    wrap = not xml1.startswith("<?xml")
    try:
        return _xml_shape(_xml_root(xml1, wrap)) == _xml_shape(_xml_root(xml2, wrap))
    except ExpatError as error:
        test_case.fail("First or second argument is not valid XML\n%s" % error)


def _evaluated(value):
    from teapot.db.models.query import QuerySet, RawQuerySet

    if isinstance(value, (QuerySet, RawQuerySet)) and value._result_cache is not None:
        return list(value._result_cache)
    return value


@contextmanager
def _sub_test():
    yield


class SerializeMixin:
    """Django serializes test classes that share a resource with a lock file; teapot's runner
    runs classes one after the other, so there is nothing to do."""

    lockfile = None


class TransactionTestCase(SimpleTestCase):
    """Tests that commit for real: every table of the test's databases is emptied after each
    test."""

    databases = {DEFAULT_DB_ALIAS}
    reset_sequences = False
    available_apps = None
    serialized_rollback = False

    def assertNumQueries(self, num, func=None, *args, using=DEFAULT_DB_ALIAS, **kwargs):
        context = _AssertNumQueriesContext(self, num, connections[using])
        if func is None:
            return context

        async def run():
            async with context:
                await _maybe_await(func(*args, **kwargs))

        return run()

    async def assertQuerySetEqual(self, qs, values, transform=None, ordered=True, msg=None):
        from teapot.db.models.query import QuerySet, RawQuerySet

        if isinstance(values, (QuerySet, RawQuerySet)):
            values = [item async for item in values]
        values = list(values)
        if isinstance(qs, (QuerySet, RawQuerySet)) or hasattr(qs, "__aiter__"):
            items = [item async for item in qs]  # a queryset, or a stream (qs.iterator())
        else:
            items = list(qs)
        if transform is not None:
            items = [await _maybe_await(transform(item)) for item in items]
        if not ordered:
            from collections import Counter

            return self.assertDictEqual(Counter(items), Counter(values), msg=msg)
        if len(values) > 1 and isinstance(qs, QuerySet) and not qs.ordered:
            raise ValueError(
                "Trying to compare non-ordered queryset against more than one ordered value."
            )
        return self.assertEqual(items, values, msg=msg)

    @classmethod
    def captureOnCommitCallbacks(cls, *, using=DEFAULT_DB_ALIAS, execute=False):
        return _CaptureOnCommit(using, execute)


class TestCase(TransactionTestCase):
    """Each test runs inside the class's shared transaction, rolled back to a savepoint after
    it."""

    @classmethod
    async def setUpTestData(cls):
        pass


def assert_and_parse_html(*args, **kwargs):  # pragma: no cover - no HTML in teapot
    raise NotImplementedError


def text_diff(a, b):
    return "\n".join(difflib.ndiff(str(a).splitlines(), str(b).splitlines()))

