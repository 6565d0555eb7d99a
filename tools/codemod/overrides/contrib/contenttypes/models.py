"""Overrides of django.contrib.contenttypes.models: content types without a query, and
models another registry knows.

The manager's lookups (get_for_model, get_for_models, get_for_id, get_by_natural_key) are
coroutines by the colouring and fill the manager's cache as Django's do. Code that must stay
sync (SQL building, descriptors, prefetch keys) reads that cache through the two methods
below, and never queries.

``model_class()`` asks ``teapot.missing_models`` about a model teapot's registry lacks, so a
content type of a Django model that was never adapted raises an error saying so rather than
reading as stale; its names (``name``, ``str()``) fall back to the model name instead.
"""

from teapot import missing_models
from teapot.db.models.expressions import Subquery

from tools.codemod.overrides import override


@override("ContentTypeManager.cached_for_model", new=True)
def cached_for_model(self, model, for_concrete_model=True):
    """The content type of ``model`` from this manager's cache, or None."""
    opts = self._get_opts(model, for_concrete_model)
    return self._cache.get(self.db, {}).get((opts.app_label, opts.model_name))


@override("ContentTypeManager.lazy_id_for_model", new=True)
def lazy_id_for_model(self, model, for_concrete_model=True):
    """The id of ``model``'s content type, usable as a query value: the cached id when the
    cache has it, else a subquery that selects it (no row, no match; nothing is created)."""
    ct = self.cached_for_model(model, for_concrete_model)
    if ct is not None:
        return ct.pk
    opts = self._get_opts(model, for_concrete_model)
    return Subquery(self.model._base_manager.filter(app_label=opts.app_label, model=opts.model_name).values("pk"))


@override("ContentType.model_class", upstream="5dd58b2aac9c")
def model_class(self):
    """The model this content type names, or None for a stale one (no registry has it)."""
    try:
        return apps.get_model(self.app_label, self.model)
    except LookupError:
        missing_models.explain(self.app_label, self.model)
        return None


@override("ContentType._model_class_or_none", new=True)
def _model_class_or_none(self):
    """The model class, or None when teapot cannot give it (stale, or not loaded here)."""
    try:
        return self.model_class()
    except LookupError:
        return None


@override("ContentType.name", upstream="e1e23d2c9b45")
@property
def name(self):
    model = self._model_class_or_none()
    if not model:
        return self.model
    return str(model._meta.verbose_name)


@override("ContentType.app_labeled_name", upstream="ec66061f7442")
@property
def app_labeled_name(self):
    model = self._model_class_or_none()
    if not model:
        return self.model
    return "%s | %s" % (
        model._meta.app_config.verbose_name,
        model._meta.verbose_name,
    )
