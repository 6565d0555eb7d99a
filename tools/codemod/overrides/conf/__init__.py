"""Overrides of django.conf."""

from tools.codemod.overrides import override


@override("LazySettings._add_script_prefix", upstream="fecf6d1cdf62")
@staticmethod
def _add_script_prefix(value):
    """A relative MEDIA_URL or STATIC_URL is made absolute under the root, "/"."""
    # teapot serves no requests, so no request handler ever sets a script prefix: the root is
    # the prefix Django uses until one does. Absolute paths and URLs are kept as they are.
    if value.startswith(("http://", "https://", "/")):
        return value
    return "/" + value
