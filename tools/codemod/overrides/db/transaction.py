"""Overrides of django.db.transaction: ``@atomic`` decorates coroutine functions (and callable
instances whose ``__call__`` is one); commit() and rollback() are coroutines, like the
connection methods they call."""

import functools
import inspect

from tools.codemod.overrides import override


@override("commit", upstream="adf096460019")
async def commit(using=None):
    """Commit a transaction."""
    await get_connection(using).commit()


@override("rollback", upstream="cab5ad6aacc0")
async def rollback(using=None):
    """Roll back a transaction."""
    await get_connection(using).rollback()


@override("Atomic.__call__", new=True)
def __call__(self, func):
    # ContextDecorator would enter the block with a sync ``with``: the block is async here.
    # A callable instance qualifies when its __call__ is a coroutine function (#20028).
    if not (
        inspect.iscoroutinefunction(func)
        or (not inspect.isroutine(func) and inspect.iscoroutinefunction(getattr(func, "__call__", None)))
    ):
        name = getattr(func, "__qualname__", None) or repr(func)
        raise TypeError(
            f"@transaction.atomic decorates async functions (async def); {name} is not one. "
            "Sync code cannot run queries in teapot."
        )

    @functools.wraps(func)
    async def inner(*args, **kwargs):
        async with self._recreate_cm():
            return await func(*args, **kwargs)

    return inner


@override("MarkForRollbackOnError", new=True)
class MarkForRollbackOnError:
    """Mark the transaction as needing a rollback when the block raises. Enters with ``with``
    and ``async with`` alike: Model.save_base picks it or an atomic block for one
    ``async with``."""

    __slots__ = ("using",)

    def __init__(self, using):
        self.using = using

    def __enter__(self):
        return None

    def __exit__(self, exc_type, exc, tb):
        if isinstance(exc, Exception):
            connection = get_connection(self.using)
            if connection.in_atomic_block:
                connection.needs_rollback = True
                connection.rollback_exc = exc
        return False

    async def __aenter__(self):
        # The block is a save or a delete about to query; connecting now gives the SQL it
        # compiles first the server's facts (an insert picks its RETURNING columns from them).
        await get_connection(self.using).ensure_connection()
        return None

    async def __aexit__(self, exc_type, exc, tb):
        return self.__exit__(exc_type, exc, tb)


@override("mark_for_rollback_on_error", upstream="833269fbe04c")
def mark_for_rollback_on_error(using=None):
    """An async context manager for saves and deletes: an error inside it marks the
    enclosing atomic block for rollback, without opening a transaction of its own (one
    statement in autocommit needs none)."""
    return MarkForRollbackOnError(using)
