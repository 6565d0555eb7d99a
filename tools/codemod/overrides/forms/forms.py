"""Overrides of django.forms.forms: validating a form is awaited.

A model form's validation reads the database (unique checks, a model choice's lookup), so
``full_clean()`` and ``is_valid()`` are coroutines for every form, as ``Model.full_clean()``
is. ``errors`` stays a property: it answers once the form was validated and raises
AwaitRequired before (an unbound form has no errors, as in Django, and needs no await).
"""

from teapot.errors import AwaitRequired

from tools.codemod.overrides import override


@override("BaseForm.errors", upstream="11501e29c739")
@property
def errors(self):
    if self._errors is None:
        if self.is_bound:
            raise AwaitRequired(
                "form.errors is known once the bound form is validated, which may query the "
                "database: `await form.is_valid()` or `await form.full_clean()` first."
            )
        self._errors = ErrorDict(renderer=self.renderer)
    return self._errors


@override("BaseForm.is_valid", upstream="31490ab39f14")
async def is_valid(self):
    if self._errors is None:
        await self.full_clean()
    return self.is_bound and not self._errors


@override("BaseForm._clean_fields", upstream="77ef92ca6328")
async def _clean_fields(self):
    for name, bf in self._bound_items():
        field = bf.field
        # A field whose cleaning queries (ModelChoiceField) has an awaited variant.
        aclean_bound_field = getattr(field, "_aclean_bound_field", None)
        try:
            if aclean_bound_field is not None:
                self.cleaned_data[name] = await aclean_bound_field(bf)
            else:
                self.cleaned_data[name] = field._clean_bound_field(bf)
            if hasattr(self, "clean_%s" % name):
                value = getattr(self, "clean_%s" % name)()
                self.cleaned_data[name] = value
        except ValidationError as e:
            self.add_error(name, e)
