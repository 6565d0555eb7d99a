"""Copying methods and properties of Django classes onto teapot classes. Hand-written.

A copied function keeps its code but gets two things of its new home:

- its module's globals, copied once per module with Django's objects swapped for their
  teapot twins (``models.Q``, ``Count``, ``timezone``) and Django model classes for the
  teapot classes adapted from them, so a method that builds a query builds a teapot one;
- a ``__class__`` cell pointing at the new class, so zero-argument ``super()`` works.
"""

from __future__ import annotations

import functools
import types

from teapot.adapter.errors import warn
from teapot.adapter.translate import translate
from teapot.adapter.twins import is_django, twin

# Instance methods that are coroutines in teapot: a sync method calling one drops its work.
IO_METHODS = frozenset({"save", "delete", "refresh_from_db", "full_clean", "save_base"})

# Names a class body gets from Python or from Django's metaclasses, never copied.
SKIPPED_NAMES = frozenset(
    {
        "__module__",
        "__qualname__",
        "__dict__",
        "__weakref__",
        "__doc__",
        "__classcell__",
        "__firstlineno__",
        "__static_attributes__",
        "_meta",
        "Meta",
        "DoesNotExist",
        "MultipleObjectsReturned",
        "_default_manager",
        "_base_manager",
        "_queryset_class",
    }
)

# Modules whose objects in a model's class body are the ORM's own machinery (fields, their
# descriptors, managers), which teapot's metaclass makes afresh.
DJANGO_MACHINERY = ("django.db.models", "django.contrib.contenttypes.fields")

# id(module globals) -> (those globals, the copy the adapted functions run with)
_module_globals: dict[int, tuple[dict, dict]] = {}
# Django model class -> teapot model class, filled in by teapot.adapter.models
adapted_classes: dict[type, type] = {}


def _global_twin(value):
    if isinstance(value, type) and value in adapted_classes:
        return adapted_classes[value]
    if isinstance(value, (types.ModuleType, type, types.FunctionType)):
        return twin(value) or value
    if is_django(value):
        found = twin(value)
        if found is not None:
            return found
        if hasattr(value, "deconstruct"):  # a module-level Q(...) or F(...)
            return translate(value)
    return value


def module_globals(source: dict) -> dict:
    """The copy of a module's globals that functions copied from that module run with."""
    entry = _module_globals.get(id(source))
    if entry is None:
        copy = dict(source)
        for name, value in source.items():
            if not name.startswith("__"):
                copy[name] = _global_twin(value)
        entry = _module_globals[id(source)] = (source, copy)
    return entry[1]


def class_adapted(django_class: type, teapot_class: type) -> None:
    """Point every copied module's name for ``django_class`` at ``teapot_class``."""
    adapted_classes[django_class] = teapot_class
    for source, copy in _module_globals.values():
        for name, value in source.items():
            if value is django_class:
                copy[name] = teapot_class


def copy_function(func: types.FunctionType, cell) -> types.FunctionType:
    code = func.__code__
    closure = func.__closure__
    if closure and "__class__" in code.co_freevars:
        at = code.co_freevars.index("__class__")
        closure = closure[:at] + (cell,) + closure[at + 1 :]
    new = types.FunctionType(code, module_globals(func.__globals__), func.__name__, func.__defaults__, closure)
    new.__kwdefaults__ = func.__kwdefaults__
    new.__qualname__ = func.__qualname__
    new.__doc__ = func.__doc__
    new.__module__ = func.__module__
    new.__annotations__ = dict(getattr(func, "__annotations__", {}) or {})
    new.__dict__.update(func.__dict__)
    return new


SKIP = object()  # what copy_member returns for a member that is not copied


def copy_member(value, cell):
    """``value`` from a class body, ready for the teapot class whose cell is ``cell``; SKIP
    when it is not something to copy (Django's descriptors, fields, managers)."""
    if isinstance(value, types.FunctionType):
        return copy_function(value, cell)
    if isinstance(value, staticmethod):
        return staticmethod(copy_member(value.__func__, cell))
    if isinstance(value, classmethod):
        return classmethod(copy_member(value.__func__, cell))
    if isinstance(value, property):
        parts = [copy_member(f, cell) if f is not None else None for f in (value.fget, value.fset, value.fdel)]
        return property(*parts, value.__doc__)
    if isinstance(value, functools.cached_property):
        return functools.cached_property(copy_member(value.func, cell))
    if type(value).__module__ == "django.utils.functional" and type(value).__name__ == "cached_property":
        from teapot.utils.functional import cached_property

        return cached_property(copy_member(value.real_func, cell), name=value.name)
    if isinstance(value, type):
        return value
    if isinstance(value, functools.partialmethod) or type(value).__module__.startswith(DJANGO_MACHINERY):
        return SKIP  # get_FOO_display and friends, descriptors, fields, managers
    return value  # nested classes (TextChoices), constants, validators


def io_calls(func) -> list[str]:
    """The coroutine-in-teapot methods (save, delete, ...) a sync function calls by name."""
    if not isinstance(func, types.FunctionType) or func.__code__.co_flags & 0x80:  # CO_COROUTINE
        return []
    names: set[str] = set()
    stack = [func.__code__]
    while stack:
        code = stack.pop()
        names.update(code.co_names)
        stack.extend(c for c in code.co_consts if isinstance(c, types.CodeType))
    return sorted(names & IO_METHODS)


def warn_io_calls(owner_label: str, name: str, value) -> None:
    func = value.__func__ if isinstance(value, (classmethod, staticmethod)) else value
    calls = io_calls(func)
    if calls:
        listed = ", ".join(f"{c}()" for c in calls)
        warn(
            f"{owner_label}.{name}() is copied as written, but it calls {listed}, which teapot "
            f"runs as coroutines: await what it returns, or rewrite it as `async def`.",
        )


def class_members(classes, cell, *, skip=(), replacements=None, convert=None):
    """The members to copy from ``classes`` (most derived first; the first definition of a
    name wins). ``replacements`` maps (class, name) -> a teapot version used instead;
    ``convert(cls, name, value)`` returns what to copy instead of ``value`` (SKIP: nothing)."""
    out: dict = {}
    seen: set[str] = set(skip)
    for cls in classes:
        for name, value in vars(cls).items():
            if name in seen or name in SKIPPED_NAMES:
                continue
            seen.add(name)
            replacement = (replacements or {}).get((f"{cls.__module__}.{cls.__qualname__}", name))
            if replacement is not None:
                out[name] = copy_member(replacement, cell)
                continue
            if convert is not None:
                value = convert(cls, name, value)
                if value is SKIP:
                    continue
            copied = copy_member(value, cell)
            if copied is not SKIP:
                out[name] = copied
    # Replacements may also add methods the Django class does not have.
    paths = {f"{cls.__module__}.{cls.__qualname__}" for cls in classes}
    for (path, name), replacement in (replacements or {}).items():
        if path in paths and name not in seen:
            seen.add(name)
            out[name] = copy_member(replacement, cell)
    return out
