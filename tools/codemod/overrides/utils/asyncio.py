"""Overrides of django.utils.asyncio."""

from tools.codemod.overrides import override


@override("async_unsafe", upstream="a148da8e03f6")
def async_unsafe(message):
    """Upstream refuses sync database calls inside an event loop; teapot's are async."""
    if callable(message):
        return message

    def decorator(func):
        return func

    return decorator
