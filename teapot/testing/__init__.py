"""Testing tools for code that uses teapot: async test cases with a rollback per test, query
counting and capture, settings overrides and database-feature skips. Hand-written.

See testcases.py (the test cases), utils.py (context managers and decorators) and runner.py
(running test classes, one asyncio task per class). The helpers that tests transformed from
Django's own suite call are not shipped: they belong to the conformance tool
(tools/conformance/shims.py)."""

from teapot.testing.testcases import (
    SimpleTestCase,
    TestCase,
    TransactionTestCase,
    skipIfDBFeature,
    skipUnlessAnyDBFeature,
    skipUnlessDBFeature,
)
from teapot.testing.utils import ignore_warnings, modify_settings, override_settings

__all__ = [
    "SimpleTestCase",
    "TestCase",
    "TransactionTestCase",
    "ignore_warnings",
    "modify_settings",
    "override_settings",
    "skipIfDBFeature",
    "skipUnlessAnyDBFeature",
    "skipUnlessDBFeature",
]
