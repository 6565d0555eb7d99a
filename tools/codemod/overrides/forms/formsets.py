"""Overrides of django.forms.formsets: validating a formset is awaited, as each of its forms'
validation is (overrides/forms/forms.py).

``full_clean()`` awaits each form's validation before reading its errors. What upstream
computes on demand from properties (``errors``, ``cleaned_data``, ``deleted_forms``,
``ordered_forms``) reads the outcome of that validation, and raises AwaitRequired before it.
The management form holds integer fields only: it is cleaned without awaiting, so a bound
formset knows how many forms it has.
"""

from teapot.errors import AwaitRequired
from teapot.forms.utils import ErrorDict

from tools.codemod.overrides import override


@override("BaseFormSet._require_validated", new=True)
def _require_validated(self, what):
    """The formset's validity once ``full_clean()`` ran: AwaitRequired before."""
    if not self.is_bound:
        return False
    if self._errors is None:
        raise AwaitRequired(
            f"formset.{what} is known once the bound formset is validated, which may query the "
            "database: `await formset.is_valid()` or `await formset.full_clean()` first."
        )
    forms_valid = all(
        form.is_bound and not form._errors
        for form in self.forms
        if not (self.can_delete and self._should_delete_form(form))
    )
    return forms_valid and not self._non_form_errors


@override("BaseFormSet.management_form", upstream="f441d1ef1701")
@cached_property
def management_form(self):
    if self.is_bound:
        form = ManagementForm(
            self.data,
            auto_id=self.auto_id,
            prefix=self.prefix,
            renderer=self.renderer,
        )
        form._errors = ErrorDict(renderer=form.renderer)
        form.cleaned_data = {}
        for name, bf in form._bound_items():
            try:
                form.cleaned_data[name] = bf.field._clean_bound_field(bf)
            except ValidationError as e:
                form.add_error(name, e)
        form._clean_form()
    else:
        form = ManagementForm(
            auto_id=self.auto_id,
            prefix=self.prefix,
            initial={
                TOTAL_FORM_COUNT: self.total_form_count(),
                INITIAL_FORM_COUNT: self.initial_form_count(),
                MIN_NUM_FORM_COUNT: self.min_num,
                MAX_NUM_FORM_COUNT: self.max_num,
            },
            renderer=self.renderer,
        )
    return form


@override("BaseFormSet.cleaned_data", upstream="a33cbe48def1")
@property
def cleaned_data(self):
    if not self._require_validated("cleaned_data"):
        raise AttributeError("'%s' object has no attribute 'cleaned_data'" % self.__class__.__name__)
    return [form.cleaned_data for form in self.forms]


@override("BaseFormSet.deleted_forms", upstream="d42f33b7ffdf")
@property
def deleted_forms(self):
    if not self._require_validated("deleted_forms") or not self.can_delete:
        return []
    if not hasattr(self, "_deleted_form_indexes"):
        self._deleted_form_indexes = []
        for i, form in enumerate(self.forms):
            if i >= self.initial_form_count() and not form.has_changed():
                continue
            if self._should_delete_form(form):
                self._deleted_form_indexes.append(i)
    return [self.forms[i] for i in self._deleted_form_indexes]


@override("BaseFormSet.ordered_forms", upstream="984e38e4359c")
@property
def ordered_forms(self):
    if not self._require_validated("ordered_forms") or not self.can_order:
        raise AttributeError("'%s' object has no attribute 'ordered_forms'" % self.__class__.__name__)
    if not hasattr(self, "_ordering"):
        self._ordering = []
        for i, form in enumerate(self.forms):
            if i >= self.initial_form_count() and not form.has_changed():
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            self._ordering.append((i, form.cleaned_data[ORDERING_FIELD_NAME]))

        # Blank ordering values (None) sort after every number.
        def compare_ordering_key(k):
            if k[1] is None:
                return (1, 0)
            return (0, k[1])

        self._ordering.sort(key=compare_ordering_key)
    return [self.forms[i[0]] for i in self._ordering]


@override("BaseFormSet.errors", upstream="bc6614e2ade5")
@property
def errors(self):
    if self._errors is None:
        if self.is_bound:
            raise AwaitRequired(
                "formset.errors is known once the bound formset is validated, which may query the "
                "database: `await formset.is_valid()` or `await formset.full_clean()` first."
            )
        self._errors = []
        self._non_form_errors = self.error_class(error_class="nonform", renderer=self.renderer)
    return self._errors


@override("BaseFormSet.is_valid", upstream="a2eee72bc55c")
async def is_valid(self):
    if not self.is_bound:
        return False
    if self._errors is None:
        await self.full_clean()
    return self._require_validated("is_valid()")


@override("BaseFormSet.full_clean", upstream="5ae4e4e25d6f")
async def full_clean(self):
    self._errors = []
    self._non_form_errors = self.error_class(error_class="nonform", renderer=self.renderer)
    empty_forms_count = 0

    if not self.is_bound:
        return

    if self.management_form._errors:
        error = ValidationError(
            self.error_messages["missing_management_form"],
            params={
                "field_names": ", ".join(
                    self.management_form.add_prefix(field_name) for field_name in self.management_form._errors
                ),
            },
            code="missing_management_form",
        )
        self._non_form_errors.append(error)

    for i, form in enumerate(self.forms):
        if not form.has_changed() and i >= self.initial_form_count():
            empty_forms_count += 1
        if form._errors is None:
            await form.full_clean()
        form_errors = form._errors
        if self.can_delete and self._should_delete_form(form):
            continue
        self._errors.append(form_errors)
    try:
        if (
            self.validate_max and self.total_form_count() - len(self.deleted_forms) > self.max_num
        ) or self.management_form.cleaned_data[TOTAL_FORM_COUNT] > self.absolute_max:
            raise ValidationError(
                self.error_messages["too_many_forms"] % {"num": self.max_num},
                code="too_many_forms",
            )
        if (
            self.validate_min
            and self.total_form_count() - len(self.deleted_forms) - empty_forms_count < self.min_num
        ):
            raise ValidationError(
                self.error_messages["too_few_forms"] % {"num": self.min_num},
                code="too_few_forms",
            )
        await self.clean()
    except ValidationError as e:
        self._non_form_errors = self.error_class(
            e.error_list,
            error_class="nonform",
            renderer=self.renderer,
        )
