"""Where a Django object's teapot twin is. Hand-written.

teapot is Django renamed, so almost every Django module, class and function has a twin at the
same dotted path under ``teapot``: ``teapot_path`` maps the path, ``import_twin`` imports what
stands there, ``twin`` finds the twin of an object and ``is_django`` tells Django's objects apart.
"""

from __future__ import annotations

import functools
import importlib
import types

from teapot.adapter import contenttypes

# Django's registry and settings objects have twins that are instances, not importable names.
_INSTANCE_TWINS = {
    ("django.apps.registry", "Apps"): "teapot.apps:apps",
    ("django.conf", "LazySettings"): "teapot.conf:settings",
}


class NoTwin(LookupError):
    """A Django database object (an expression, a constraint...) that teapot's fork lacks:
    it came with a Django release newer than the one the fork is made from."""

    def __init__(self, path: str):
        from teapot import get_version

        super().__init__(
            f"{path} has no counterpart in teapot, whose ORM is Django {get_version()}'s "
            "(it comes from a newer Django); use an equivalent that Django "
            f"{get_version()} has, or leave this model to Django"
        )
        self.path = path


def teapot_path(path: str) -> str | None:
    """``django.x.y`` -> ``teapot.x.y``; None for anything outside Django."""
    if path == "django" or path.startswith("django."):
        return "teapot" + path[len("django") :]
    return None


# Django packages whose objects the adapter keeps as they are, although the fork has a module
# of the same path: the fork's contrib.auth is an app of its own (its models need it installed),
# while an adapted project's auth models are built from Django's (teapot/adapter/auth.py).
NO_TWINS = ("django.contrib.auth",)


@functools.lru_cache(maxsize=None)
def _import(module_name: str):
    try:
        return importlib.import_module(module_name)
    except ImportError:
        return None


def import_twin(dotted: str):
    """The object at teapot's twin of Django's dotted path ``dotted`` (``module.Name`` or
    ``module.Outer.Inner``), or None when the fork has no such object."""
    target = teapot_path(dotted)
    if target is None or any(dotted == p or dotted.startswith(p + ".") for p in NO_TWINS):
        return None
    if contenttypes.is_django_contenttypes(dotted):
        contenttypes.install_app()  # the fork's models module needs its app registered
    module = _import(target)
    if module is not None:
        return module
    parts = target.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        module = _import(".".join(parts[:cut]))
        if module is None:
            continue
        obj = module
        for name in parts[cut:]:
            obj = getattr(obj, name, None)
            if obj is None:
                return None
        return obj
    return None


def twin(obj):
    """teapot's twin of a Django module, class, function or registry object; None if there
    is none (the object is not Django's, or the fork does not contain it)."""
    if isinstance(obj, types.ModuleType):
        return import_twin(obj.__name__) if teapot_path(obj.__name__) else None
    if isinstance(obj, (type, types.FunctionType, types.BuiltinFunctionType)):
        module = getattr(obj, "__module__", None) or ""
        qualname = getattr(obj, "__qualname__", "")
        if teapot_path(module) is None or "<locals>" in qualname:
            return None
        return import_twin(f"{module}.{qualname}")
    cls = type(obj)
    spec = _INSTANCE_TWINS.get((cls.__module__, cls.__qualname__))
    if spec is not None:
        module, _, name = spec.partition(":")
        return getattr(importlib.import_module(module), name)
    return None


def is_django(obj) -> bool:
    """Whether ``obj`` (a class or an instance) comes from the installed Django."""
    cls = obj if isinstance(obj, type) else type(obj)
    return teapot_path(cls.__module__ or "") is not None
