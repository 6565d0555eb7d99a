"""Overrides of django.contrib.contenttypes.models: content types without a query.

The manager's lookups (get_for_model, get_for_models, get_for_id, get_by_natural_key) are
coroutines by the colouring and fill the manager's cache as Django's do. Code that must stay
sync (SQL building, descriptors, prefetch keys) reads that cache through the two methods
below, and never queries.
"""

from teapot.db.models.expressions import Subquery

from codemod.overrides import override


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
