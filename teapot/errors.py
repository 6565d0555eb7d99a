"""Errors teapot adds to Django's. Hand-written."""

from teapot.core.exceptions import SynchronousOnlyOperation


class AwaitRequired(SynchronousOnlyOperation):
    """A sync protocol (len, bool, indexing, lazy attribute access) would need a query.

    teapot never queries behind your back: the message names the awaitable to use instead.
    """
