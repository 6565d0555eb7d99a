"""Overrides of django.db.backends.utils: CursorWrapper over an async driver cursor.

The driver cursor (see teapot/backends/*) has awaitable execute/executemany/fetch*/close.
An open cursor holds its connection's lease: closing the last one ends a statement's lease.
"""

import inspect

from tools.codemod.overrides import override


@override("CursorWrapper.__init__", upstream="093ae0ca0c20")
def __init__(self, cursor, db):
    self.cursor = cursor
    self.db = db
    # The connection's lease lasts while the cursor is open (close() ends it).
    self._leased = db.cursor_opened()


@override("CursorWrapper.__iter__", upstream="2977af7e5cd5")
def __iter__(self):
    raise TypeError("iterate a cursor with `async for row in cursor`")


@override("CursorWrapper.__aiter__", new=True)
async def __aiter__(self):
    # Imported here: teapot.db.models imports this module.
    from teapot.db.models.sql.constants import GET_ITERATOR_CHUNK_SIZE

    while True:
        with self.db.wrap_database_errors:
            rows = await self.cursor.fetchmany(GET_ITERATOR_CHUNK_SIZE)
        if not rows:
            return
        for row in rows:
            yield row


@override("CursorWrapper.__enter__", upstream="4bdae7080538")
def __enter__(self):
    raise TypeError("use `async with connection.cursor() as cursor:`")


@override("CursorWrapper.__exit__", upstream="6200100c895a")
def __exit__(self, type, value, traceback):
    raise TypeError("use `async with connection.cursor() as cursor:`")


@override("CursorWrapper.__aenter__", new=True)
async def __aenter__(self):
    return self


@override("CursorWrapper.__aexit__", new=True)
async def __aexit__(self, type, value, traceback):
    # Always close (drivers' own exit behaviours differ, Django #17671), and let no
    # cleanup error hide what the block raised.
    try:
        await self.close()
    except self.db.Database.Error:
        pass


@override("CursorWrapper.close", new=True)
async def close(self):
    try:
        await self.cursor.close()
    finally:
        leased, self._leased = self._leased, None
        self.db.cursor_closed(leased)


@override("CursorWrapper.fetchone", new=True)
async def fetchone(self):
    with self.db.wrap_database_errors:
        return await self.cursor.fetchone()


@override("CursorWrapper.fetchmany", new=True)
async def fetchmany(self, size=None):
    with self.db.wrap_database_errors:
        if size is None:
            return await self.cursor.fetchmany()
        return await self.cursor.fetchmany(size)


@override("CursorWrapper.fetchall", new=True)
async def fetchall(self):
    with self.db.wrap_database_errors:
        return await self.cursor.fetchall()


@override("CursorWrapper.execute", upstream="f48a398b19fa")
async def execute(self, sql, params=None):
    if not self.db.execute_wrappers:  # the common case: no wrapper to build a chain for
        return await self._execute(sql, params)
    return await self._execute_with_wrappers(sql, params, many=False, executor=self._execute)


@override("CursorWrapper.executemany", upstream="405c6286110d")
async def executemany(self, sql, param_list):
    return await self._execute_with_wrappers(sql, param_list, many=True, executor=self._executemany)


@override("CursorWrapper._execute_with_wrappers", upstream="72acbee8b34d")
async def _execute_with_wrappers(self, sql, params, many, executor):
    context = {"connection": self.db, "cursor": self}
    for wrapper in reversed(self.db.execute_wrappers):
        executor = functools.partial(wrapper, executor)
    result = executor(sql, params, many, context)
    # A wrapper may be sync (returning the awaitable it was handed) or async.
    while inspect.isawaitable(result):
        result = await result
    return result
