"""Overrides of django.db.models.fields: ``formfield()`` stays sync.

Upstream's ``formfield()`` asks ``get_choices()`` for a field's declared choices. That method
also lists a related model's rows, a query, so it is a coroutine in teapot; the declared
choices need none, and ``formfield()`` reads them through ``_declared_choices()``."""

from tools.codemod.overrides import override


@override("Field._declared_choices", new=True)
def _declared_choices(self, include_blank):
    """What ``get_choices()`` returns for a field with declared choices, without awaiting."""
    if include_blank:
        return BlankChoiceIterator(self.choices, BLANK_CHOICE_DASH)
    return self.choices


@override("Field.formfield", upstream="4d3c96690dc4")
def formfield(self, form_class=None, choices_form_class=None, **kwargs):
    defaults = {
        "required": not self.blank,
        "label": capfirst(self.verbose_name),
        "help_text": self.help_text,
    }
    if self.has_default():
        if callable(self.default):
            defaults["initial"] = self.default
            defaults["show_hidden_initial"] = True
        else:
            defaults["initial"] = self.get_default()
    if self.choices is not None:
        include_blank = self.blank or not (self.has_default() or "initial" in kwargs)
        defaults["choices"] = self._declared_choices(include_blank)
        defaults["coerce"] = self.to_python
        if self.null:
            defaults["empty_value"] = None
        if choices_form_class is not None:
            form_class = choices_form_class
        else:
            form_class = forms.TypedChoiceField
        # Only what TypedChoiceField understands (not min_value, max_value...).
        for k in list(kwargs):
            if k not in (
                "coerce",
                "empty_value",
                "choices",
                "required",
                "widget",
                "label",
                "initial",
                "help_text",
                "error_messages",
                "show_hidden_initial",
                "disabled",
            ):
                del kwargs[k]
    defaults.update(kwargs)
    if form_class is None:
        form_class = forms.CharField
    return form_class(**defaults)


@override("BooleanField.formfield", upstream="64ec00027df8")
def formfield(self, **kwargs):
    if self.choices is not None:
        include_blank = not (self.has_default() or "initial" in kwargs)
        defaults = {"choices": self._declared_choices(include_blank)}
    else:
        form_class = forms.NullBooleanField if self.null else forms.BooleanField
        # A checkbox's "required" means "must be checked": unchecked is allowed.
        defaults = {"form_class": form_class, "required": False}
    return super().formfield(**{**defaults, **kwargs})
