"""Overrides of django.core.serializers.xml_serializer: the deserializer is an asynchronous
iterator (the sync ``__next__`` is dropped in rules.toml)."""

from tools.codemod.overrides import override


@override("Deserializer.__anext__", new=True)
async def __anext__(self):
    for event, node in self.event_stream:
        if event == "START_ELEMENT" and node.nodeName == "object":
            with fast_cache_clearing():
                self.event_stream.expandNode(node)
            return await self._handle_object(node)
    raise StopAsyncIteration


@override("Deserializer._handle_m2m_field_node", upstream="ff741de12622")
async def _handle_m2m_field_node(self, node, field):
    model = field.remote_field.model
    manager = model._default_manager
    natural = hasattr(manager, "get_by_natural_key")
    values = []
    c = None
    try:
        for c in node.getElementsByTagName("object"):
            keys = c.getElementsByTagName("natural") if natural else []
            if keys:
                key = [getInnerText(k).strip() for k in keys]
                values.append((await manager.db_manager(self.db).get_by_natural_key(*key)).pk)
            else:
                values.append(model._meta.pk.to_python(c.getAttribute("pk")))
    except Exception as e:
        if isinstance(e, ObjectDoesNotExist) and self.handle_forward_references:
            return base.DEFER_FIELD
        raise base.M2MDeserializationError(e, c)
    return values


@override("Serializer.handle_m2m_field", upstream="bc02313cb5c9")
def handle_m2m_field(self, obj, field):
    if not field.remote_field.through._meta.auto_created:
        return
    related_objects = self.loaded_m2m_values(obj, field)
    self._start_relational_field(field)
    natural = self.use_natural_foreign_keys and hasattr(field.remote_field.model, "natural_key")
    for related in related_objects:
        if natural:
            self.xml.startElement("object", {})
            for key_value in related.natural_key():
                self.xml.startElement("natural", {})
                self.xml.characters(str(key_value))
                self.xml.endElement("natural")
            self.xml.endElement("object")
        else:
            self.xml.addQuickElement("object", attrs={"pk": str(related.pk)})
    self.xml.endElement("field")
