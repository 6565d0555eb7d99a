"""Overrides of django.core.serializers.python: the deserializer is an asynchronous iterator
(its ``__iter__`` generator becomes ``__aiter__``; ``__anext__`` steps it)."""

from tools.codemod.overrides import override


@override("Deserializer.__anext__", new=True)
async def __anext__(self):
    if self._iterator is None:
        self._iterator = self.__aiter__()
    return await self._iterator.__anext__()


@override("Serializer.handle_m2m_field", upstream="4244629794e0")
def handle_m2m_field(self, obj, field):
    if not field.remote_field.through._meta.auto_created:
        return
    if self.use_natural_foreign_keys and hasattr(field.remote_field.model, "natural_key"):
        values = [related.natural_key() for related in self.loaded_m2m_values(obj, field)]
    else:
        values = [self._value_from_field(related, related._meta.pk) for related in self.loaded_m2m_values(obj, field)]
    self._current[field.name] = values
