"""Overrides of django.forms.models: model choices and model formsets read the database
through awaited calls only.

- ``ModelChoiceField`` and ``ModelMultipleChoiceField`` look submitted values up in their
  queryset: ``await field.aclean(value)``, which a form's awaited validation uses
  (``_aclean_bound_field``, overrides/forms/forms.py). Their sync ``clean()`` answers for
  empty values and raises AwaitRequired for a value it would have to look up.
- Their choices iterate the queryset once it was evaluated (``await field.queryset``), or
  with ``async for``; ``len()`` and ``bool()`` read the evaluated rows too.
- A model formset is awaited once built (``formset = await FormSet(...)``): that evaluates
  its queryset, from which its forms take their instances without further queries.
"""

from teapot.errors import AwaitRequired

from tools.codemod.overrides import override


@override("ModelChoiceIterator.__iter__", upstream="b042845b9026")
def __iter__(self):
    if self.field.empty_label is not None:
        yield ("", self.field.empty_label)
    self.queryset._require_cache(
        "listing a ModelChoiceField's choices", "`await field.queryset` or `async for choice in field.choices`"
    )
    for obj in self.queryset:
        yield self.choice(obj)


@override("ModelChoiceIterator.__aiter__", new=True)
async def __aiter__(self):
    if self.field.empty_label is not None:
        yield ("", self.field.empty_label)
    async for obj in self.queryset:
        yield self.choice(obj)


@override("ModelChoiceIterator.__len__", upstream="1a57571c0c25")
def __len__(self):
    self.queryset._require_cache("len() of a ModelChoiceField's choices", "`await field.queryset`")
    return len(self.queryset) + (1 if self.field.empty_label is not None else 0)


@override("ModelChoiceIterator.__bool__", upstream="d6768d8a6cb7")
def __bool__(self):
    if self.field.empty_label is not None:
        return True
    self.queryset._require_cache("bool() of a ModelChoiceField's choices", "`await field.queryset`")
    return bool(self.queryset)


@override("ModelChoiceField.to_python", upstream="d2c146ca41f8")
def to_python(self, value):
    if value in self.empty_values:
        return None
    raise AwaitRequired(
        "a ModelChoiceField looks its value up in the queryset: use `await field.aclean(value)`, "
        "or validate the form with `await form.is_valid()`."
    )


@override("ModelChoiceField.ato_python", new=True)
async def ato_python(self, value):
    """The model instance the submitted ``value`` names (one query)."""
    if value in self.empty_values:
        return None
    self.validate_no_null_characters(value)
    try:
        key = self.to_field_name or "pk"
        if isinstance(value, self.queryset.model):
            value = getattr(value, key)
        value = await self.queryset.get(**{key: value})
    except (ValueError, TypeError, self.queryset.model.DoesNotExist):
        raise ValidationError(
            self.error_messages["invalid_choice"],
            code="invalid_choice",
            params={"value": value},
        )
    return value


@override("ModelChoiceField.aclean", new=True)
async def aclean(self, value):
    """What ``clean()`` returns, with the queryset lookup awaited."""
    value = await self.ato_python(value)
    self.validate(value)
    self.run_validators(value)
    return value


@override("ModelChoiceField._aclean_bound_field", new=True)
async def _aclean_bound_field(self, bf):
    value = bf.initial if self.disabled else bf.data
    return await self.aclean(value)


@override("ModelMultipleChoiceField._check_values", upstream="329441388d85")
def _check_values(self, value):
    raise AwaitRequired(
        "a ModelMultipleChoiceField looks its values up in the queryset: use "
        "`await field.aclean(value)`, or validate the form with `await form.is_valid()`."
    )


@override("ModelMultipleChoiceField.ato_python", new=True)
async def ato_python(self, value):
    if not value:
        return []
    return list(await self._acheck_values(value))


@override("ModelMultipleChoiceField.aclean", new=True)
async def aclean(self, value):
    value = self.prepare_value(value)
    if self.required and not value:
        raise ValidationError(self.error_messages["required"], code="required")
    elif not self.required and not value:
        return self.queryset.none()
    if not isinstance(value, (list, tuple)):
        raise ValidationError(self.error_messages["invalid_list"], code="invalid_list")
    qs = await self._acheck_values(value)
    self.run_validators(value)
    return qs


@override("ModelMultipleChoiceField._acheck_values", new=True)
async def _acheck_values(self, value):
    """The queryset of the objects ``value`` (a list of keys) names, evaluated; a
    ValidationError for a key that is malformed or not in the queryset."""
    key = self.to_field_name or "pk"
    try:
        value = frozenset(value)
    except TypeError:
        raise ValidationError(self.error_messages["invalid_list"], code="invalid_list")
    for pk in value:
        self.validate_no_null_characters(pk)
        try:
            self.queryset.filter(**{key: pk})
        except (ValueError, TypeError):
            raise ValidationError(
                self.error_messages["invalid_pk_value"],
                code="invalid_pk_value",
                params={"pk": pk},
            )
    qs = self.queryset.filter(**{"%s__in" % key: value})
    pks = {str(getattr(o, key)) for o in await qs}
    for val in value:
        if str(val) not in pks:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": val},
            )
    return qs


@override("BaseModelFormSet.initial_form_count", upstream="451bbdf4471c")
def initial_form_count(self):
    if not self.is_bound:
        return len(self.get_queryset())  # evaluated when the formset was awaited
    return super().initial_form_count()


@override("BaseModelFormSet._existing_object", upstream="52e7ae944887")
def _existing_object(self, pk):
    if not hasattr(self, "_object_dict"):
        self._object_dict = {o.pk: o for o in self.get_queryset()}  # evaluated by __await__
    return self._object_dict.get(pk)


@override("BaseModelFormSet.__await__", new=True)
def __await__(self):
    return self._ready().__await__()


@override("BaseModelFormSet._ready", new=True)
async def _ready(self):
    """Evaluate the queryset the forms take their instances from."""
    await self.get_queryset()
    return self


@override("BaseModelForm.save", upstream="d80d0e935c70")
async def save(self, commit=True):
    # Upstream validates through the errors property; here the validation is awaited.
    if self._errors is None:
        await self.full_clean()
    if self._errors:
        raise ValueError(
            "The %s could not be %s because the data didn't validate."
            % (
                self.instance._meta.object_name,
                "created" if self.instance._state.adding else "changed",
            )
        )
    if commit:
        await self.instance.save()
        await self._save_m2m()
    else:
        self.save_m2m = self._save_m2m
    return self.instance


@override("BaseModelFormSet.save", upstream="e935f6820cf8")
async def save(self, commit=True):
    if self.is_bound and self._errors is None:
        await self.full_clean()
    if not commit:
        self.saved_forms = []

        async def save_m2m():
            for form in self.saved_forms:
                await form.save_m2m()

        self.save_m2m = save_m2m
    if self.edit_only:
        return await self.save_existing_objects(commit)
    return await self.save_existing_objects(commit) + await self.save_new_objects(commit)


@override("ModelMultipleChoiceField.to_python", upstream="3477fc9cca1b")
def to_python(self, value):
    if not value:
        return []
    return list(self._check_values(value))  # AwaitRequired: see _check_values
