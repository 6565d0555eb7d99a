"""Errors teapot adds to Django's. Hand-written."""

from teapot.core.exceptions import SynchronousOnlyOperation


class AwaitRequired(SynchronousOnlyOperation):
    """A sync protocol (len, bool, indexing, lazy attribute access) would need a query.

    teapot never queries behind your back: the message names the awaitable to use instead.
    Raised by reading a relation or a deferred field that is not loaded, it also names them:
    ``instance`` is the model instance and ``attribute`` the name read (``None`` otherwise),
    so that code can load it and try again.
    """

    def __init__(self, *args, instance=None, attribute=None):
        super().__init__(*args)
        self.instance = instance
        self.attribute = attribute
