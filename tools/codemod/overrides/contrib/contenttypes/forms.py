"""Overrides of django.contrib.contenttypes.forms: a generic inline formset is built without a
query. Upstream reads the parent's content type (a coroutine in teapot) in ``__init__``; here
the queryset filters by its cached id or by a subquery that selects it
(``ContentTypeManager.lazy_id_for_model``), and awaiting the formset evaluates that queryset
(``BaseModelFormSet.__await__``)."""

from tools.codemod.overrides import override


@override("BaseGenericInlineFormSet.__init__", upstream="59d82cc6fcfe")
def __init__(
    self,
    data=None,
    files=None,
    instance=None,
    save_as_new=False,
    prefix=None,
    queryset=None,
    **kwargs,
):
    opts = self.model._meta
    self.instance = instance
    self.rel_name = opts.app_label + "-" + opts.model_name + "-" + self.ct_field.name + "-" + self.ct_fk_field.name
    self.save_as_new = save_as_new
    if self.instance is None or not self.instance._is_pk_set():
        qs = self.model._default_manager.none()
    else:
        if queryset is None:
            queryset = self.model._default_manager
        qs = queryset.filter(
            **{
                self.ct_field.name: ContentType.objects.lazy_id_for_model(
                    self.instance, for_concrete_model=self.for_concrete_model
                ),
                self.ct_fk_field.name: self.instance.pk,
            }
        )
    super().__init__(queryset=qs, data=data, files=files, prefix=prefix, **kwargs)
