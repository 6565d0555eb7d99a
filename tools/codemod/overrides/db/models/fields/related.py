"""Overrides of django.db.models.fields.related: a model form saves a many-to-many value
through the related manager's ``set()``, a coroutine, so ``save_form_data`` is awaited (the
graph cannot type ``getattr(instance, self.attname)``, and ``set`` is too common a name to
resolve by name alone)."""

from tools.codemod.overrides import override


@override("ManyToManyField.save_form_data", upstream="566b311dddbc")
async def save_form_data(self, instance, data):
    await getattr(instance, self.attname).set(data)
