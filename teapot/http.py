"""``Http404``: the "nothing here" exception of Django's views, for code that raises or catches
it (``teapot.shortcuts`` raises it). Hand-written; teapot has no request or response classes.

``teapot.contrib.starlette.install_exception_handlers`` answers it with a JSON 404.
"""


class Http404(Exception):
    """The object or list a request asked for does not exist."""
