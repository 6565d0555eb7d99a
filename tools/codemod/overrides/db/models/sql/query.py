"""Overrides of django.db.models.sql.query: a raw query runs when it is iterated with
``async for``, never from a sync protocol or a property."""

from teapot.errors import AwaitRequired

from tools.codemod.overrides import override


@override("RawQuery.__iter__", upstream="ecf15c8359f2")
def __iter__(self):
    raise AwaitRequired("iterating a raw query runs it: use `async for row in query`.")


@override("RawQuery.__aiter__", new=True)
async def __aiter__(self):
    # Always a new query for a new iterator, like upstream.
    await self._execute_query()
    async for row in self.cursor:
        yield row


@override("RawQuery.get_columns", upstream="a5de13f7494b")
def get_columns(self):
    if self.cursor is None:
        raise AwaitRequired("the columns of a raw query are known once it ran: iterate it with `async for` first.")
    converter = connections[self.using].introspection.identifier_converter
    return [converter(column_meta[0]) for column_meta in self.cursor.description]
