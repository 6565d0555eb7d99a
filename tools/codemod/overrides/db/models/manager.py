"""Overrides of django.db.models.manager."""

from teapot import plain_creates
from tools.codemod.overrides import override


@override("BaseManager._get_queryset_methods", upstream="2cd4179e6f78")
@classmethod
def _get_queryset_methods(cls, queryset_class):
    """The manager's proxies of ``queryset_class``'s public methods, each calling the method
    on a fresh queryset. ``create()`` of Django's QuerySet, on a manager that builds its
    queryset as the base manager does, creates the object without building a queryset that
    it would only ask for its model and database."""

    def create_method(name, method):
        @wraps(method)
        def manager_method(self, *args, **kwargs):
            return getattr(self.get_queryset(), name)(*args, **kwargs)

        return manager_method

    def create_proxy(method):
        @wraps(method)
        def manager_create(self, *args, **kwargs):
            # A subclass may build its queryset otherwise, or from a class with its own create().
            if args or type(self).get_queryset is not BaseManager.get_queryset or self._queryset_class.create is not method:
                return self.get_queryset().create(*args, **kwargs)
            using = self._db or router.db_for_write(self.model, **self._hints)
            return plain_creates.create_object(self.model, using, kwargs)

        return manager_create

    new_methods = {}
    for name, method in inspect.getmembers(queryset_class, predicate=inspect.isfunction):
        # Only missing methods, public ones or those marked queryset_only=False.
        if hasattr(cls, name):
            continue
        queryset_only = getattr(method, "queryset_only", None)
        if queryset_only or (queryset_only is None and name.startswith("_")):
            continue
        if name == "create" and method is QuerySet.create:
            new_methods[name] = create_proxy(method)
        else:
            new_methods[name] = create_method(name, method)
    return new_methods
