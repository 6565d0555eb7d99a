"""Overrides of django.db.transaction: ``@atomic`` decorates coroutine functions."""

import functools
import inspect

from codemod.overrides import override


@override("Atomic.__call__", new=True)
def __call__(self, func):
    # ContextDecorator would enter the block with a sync ``with``: the block is async here.
    if not inspect.iscoroutinefunction(func):
        raise TypeError(
            f"@transaction.atomic decorates async functions (async def); {func.__qualname__} is not one. "
            "Sync code cannot run queries in teapot."
        )

    @functools.wraps(func)
    async def inner(*args, **kwargs):
        async with self._recreate_cm():
            return await func(*args, **kwargs)

    return inner
