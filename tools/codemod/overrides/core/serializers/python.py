"""Overrides of django.core.serializers.python: the deserializer is an asynchronous iterator
(its ``__iter__`` generator becomes ``__aiter__``; ``__anext__`` steps it)."""

from codemod.overrides import override


@override("Deserializer.__anext__", new=True)
async def __anext__(self):
    if self._iterator is None:
        self._iterator = self.__aiter__()
    return await self._iterator.__anext__()
