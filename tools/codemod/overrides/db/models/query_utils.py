"""Overrides of django.db.models.query_utils: a deferred field is never loaded implicitly."""

from teapot.errors import AwaitRequired

from tools.codemod.overrides import override


@override("DeferredAttribute.__get__", upstream="d69f9aa3857f")
def __get__(self, instance, cls=None):
    if instance is None:
        return self
    data = instance.__dict__
    field_name = self.field.attname
    if field_name not in data:
        # A primary key may be read from an already loaded parent link (refs #18343).
        val = self._check_parent_chain(instance)
        if val is None:
            if not instance._is_pk_set() and self.field.generated:
                raise AttributeError("Cannot read a generated field from an unsaved model.")
            raise AwaitRequired(
                f"{instance.__class__.__name__}.{field_name} was deferred and reading it would run "
                f"a query: `await obj.refresh_from_db(fields=[{field_name!r}])` first, or leave it "
                f"out of defer()/only().",
                instance=instance,
                attribute=field_name,
            )
        data[field_name] = val
    return data[field_name]
