"""Overrides of django.core.serializers: ``aserialize()``, the awaited serialize()."""

from tools.codemod.overrides import override


@override("aserialize", new=True)
async def aserialize(format, queryset, **options):
    """``serialize()`` that loads what it writes: an unevaluated queryset, deferred fields,
    many-to-many values and (with natural foreign keys) related objects are read with the
    queries Django's serialize() runs for them."""
    s = get_serializer(format)()
    await s.aserialize(queryset, **options)
    return s.getvalue()
