"""Which calls the transformed tests must await: the coroutine methods of teapot's generated
classes, found by introspection (``inspect.iscoroutinefunction``), not listed by hand."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import re
import types
from functools import lru_cache
from pathlib import Path

# Method names that other types have too (dict.get, set.add, list.count, str.index, ...,
# and teapot's Query and Q, whose methods of those names are sync):
# calls of these are awaited through a helper that leaves non-awaitables alone.
_OTHER_TYPES = (dict, list, set, str, bytes, tuple, frozenset)
_ALSO_AMBIGUOUS = {"execute", "executemany", "close", "send", "run", "set", "first", "last", "contains", "check", "clean", "validate"}
# ... and the migration engine's, which files, parsers and other objects have too.
_ALSO_AMBIGUOUS |= {"flush", "handle", "apply", "migrate"}

# Sync functions of teapot that return a coroutine (not found by introspection): call_command()
# returns the command's execute() coroutine.
RETURN_COROUTINES = {"call_command"}


def _coroutine_methods(cls) -> set[str]:
    out = set()
    for name, value in inspect.getmembers(cls):
        if inspect.iscoroutinefunction(value):
            out.add(name)
    return out


def _async_defs(path: Path) -> set[str]:
    """Names of ``async def`` methods in a generated module (for classes built inside
    factory functions, such as the related managers)."""
    tree = ast.parse(path.read_text())
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.AsyncFunctionDef)}


@lru_cache(maxsize=None)
def coroutine_names() -> frozenset[str]:
    import teapot.db.models as models
    from teapot.db import transaction
    from teapot.db.backends import utils as backend_utils
    from teapot.db.models import query
    from teapot.db.models import constraints
    from teapot.db.backends.base.introspection import BaseDatabaseIntrospection
    from teapot.db.models.fields import Field, related_descriptors
    from teapot.db.models.sql.compiler import SQLCompiler
    from teapot.core.serializers.base import DeserializedObject

    names: set[str] = set()
    for cls in (
        query.QuerySet,
        query.RawQuerySet,
        models.Manager,
        models.Model,
        backend_utils.CursorWrapper,
        transaction.Atomic,
        models.Q,
        constraints.BaseConstraint,
        constraints.CheckConstraint,
        constraints.UniqueConstraint,
        BaseDatabaseIntrospection,
        Field,
        SQLCompiler,
        DeserializedObject,  # save(), save_deferred_fields()
    ):
        names |= _coroutine_methods(cls)
    names |= _per_ordering_coroutines(models.Model)
    names |= migration_coroutine_names()
    names |= forms_coroutine_names()
    names |= RETURN_COROUTINES
    names |= backend_coroutine_names()
    names |= _async_defs(Path(related_descriptors.__file__))
    # contrib.contenttypes (the content type manager, generic relations): read, not imported,
    # as its models module needs the app registry.
    for module in ("teapot.contrib.contenttypes.models", "teapot.contrib.contenttypes.fields", "teapot.contrib.contenttypes.forms"):
        spec = importlib.util.find_spec(module)
        if spec is not None and spec.origin:
            tree = ast.parse(Path(spec.origin).read_text())
            names |= {
                item.name
                for cls in ast.walk(tree)
                if isinstance(cls, ast.ClassDef)
                for item in cls.body
                if isinstance(item, ast.AsyncFunctionDef)
            }
    for name, value in vars(query).items():
        if type(value) is types.FunctionType and inspect.iscoroutinefunction(value) and not name.startswith("_"):
            names.add(name)  # prefetch_one_level...
    for module in (transaction, models):
        for name, value in vars(module).items():
            if inspect.iscoroutinefunction(value):
                names.add(name)
    names = {n for n in names if not (n.startswith("__") and n.endswith("__")) and not n[:1].isupper()}
    return frozenset(names)


def _coroutine_defs(cls) -> set[str]:
    """Coroutine methods defined along a class's MRO, read from the class dicts (getattr
    would run class properties that need configured settings)."""
    out = set()
    for klass in cls.__mro__:
        for name, value in vars(klass).items():
            if isinstance(value, (staticmethod, classmethod)):
                value = value.__func__
            if inspect.iscoroutinefunction(value):
                out.add(name)
    return out


@lru_cache(maxsize=None)
def migration_coroutine_names() -> frozenset[str]:
    """Coroutine methods of the migration engine (executor, loader, recorder, migrations, their
    operations) and of the management commands."""
    import teapot.db.models  # noqa: F401
    from teapot.core.management.base import BaseCommand
    from teapot.db.migrations import executor, loader, migration, operations, recorder
    from teapot.db.migrations.operations.base import Operation

    classes = [executor.MigrationExecutor, loader.MigrationLoader, recorder.MigrationRecorder, migration.Migration, BaseCommand]
    classes += [v for v in vars(operations).values() if type(v) is type and issubclass(v, Operation)]
    names: set[str] = set()
    for cls in classes:
        names |= _coroutine_defs(cls)
    return frozenset(n for n in names if not (n.startswith("__") and n.endswith("__")))


@lru_cache(maxsize=None)
def forms_coroutine_names() -> frozenset[str]:
    """Coroutine methods of forms, model forms, formsets and model choice fields
    (``is_valid``, ``full_clean``, ``save``, ``non_form_errors``, ``aclean``...)."""
    from teapot.forms import fields, forms, formsets, models

    classes = [forms.BaseForm, formsets.BaseFormSet, fields.Field]
    classes += [v for v in vars(models).values() if type(v) is type and v.__module__ == models.__name__]
    names: set[str] = set()
    for cls in classes:
        names |= _coroutine_defs(cls)
    return frozenset(n for n in names if not (n.startswith("__") and n.endswith("__")))


@lru_cache(maxsize=None)
def model_formset_factories() -> frozenset[str]:
    """Functions that make model formset classes (``modelformset_factory``,
    ``generic_inlineformset_factory``...): their ``formset`` parameter defaults to a model
    formset, whose instances are awaited once built (``formset = await FormSet(...)``)."""
    from teapot.forms import models

    names = set()
    for name, value in vars(models).items():
        if inspect.isfunction(value):
            default = inspect.signature(value).parameters.get("formset")
            if default is not None and isinstance(default.default, type) and issubclass(default.default, models.BaseModelFormSet):
                names.add(name)
    # contrib.contenttypes.forms is read, not imported (its models need the app registry): a
    # function whose ``formset`` defaults to a class of that module based on a model formset.
    spec = importlib.util.find_spec("teapot.contrib.contenttypes.forms")
    if spec is not None and spec.origin:
        tree = ast.parse(Path(spec.origin).read_text())
        model_formsets = {
            node.name
            for node in tree.body
            if isinstance(node, ast.ClassDef) and any(ast.unparse(b).endswith("ModelFormSet") for b in node.bases)
        }
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                arguments = node.args.args + node.args.kwonlyargs
                defaults = [None] * (len(node.args.args) - len(node.args.defaults)) + node.args.defaults + node.args.kw_defaults
                for arg, default in zip(arguments, defaults):
                    if arg.arg == "formset" and isinstance(default, ast.Name) and default.id in model_formsets:
                        names.add(node.name)
    return frozenset(names)


@lru_cache(maxsize=None)
def awaitable_classes() -> frozenset[str]:
    """Classes of teapot.db whose instances are awaited once built (``await
    MigrationLoader(connection)``): those defining ``__await__``."""
    import importlib
    import pkgutil

    import teapot.db.migrations as package

    names = set()
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if type(value) is type and value.__module__ == module.__name__ and "__await__" in vars(value):
                names.add(name)
    return frozenset(names)


@lru_cache(maxsize=None)
def queryset_coroutine_names() -> frozenset[str]:
    """Coroutine methods of QuerySet and Manager: none returns a context manager."""
    import teapot.db.models as models
    from teapot.db.models import query

    return frozenset(_coroutine_methods(query.QuerySet) | _coroutine_methods(models.Manager))


# The methods a model class gains per field or per ordering, by the name Django gives them
# (Field.contribute_to_class, ModelBase._prepare), and the Model method that implements them.
_PER_FIELD_PREFIXES = {
    "_get_next_or_previous_by_FIELD": ("get_next_by_", "get_previous_by_"),
}
_PER_ORDERING_NAMES = {
    "_get_next_or_previous_in_order": ("get_next_in_order", "get_previous_in_order"),
}


@lru_cache(maxsize=None)
def coroutine_prefixes() -> tuple[str, ...]:
    """Prefixes of the per-field model methods that are coroutines (get_next_by_FOO())."""
    import teapot.db.models as models

    return tuple(
        prefix
        for impl, prefixes in _PER_FIELD_PREFIXES.items()
        if inspect.iscoroutinefunction(getattr(models.Model, impl))
        for prefix in prefixes
    )


# The methods a model gains per model ordered with respect to it (make_foreign_order_accessors:
# question.set_answer_order(ids)), as a pattern of their names, and the function behind them.
_PER_RELATED_ORDERING_PATTERNS = {
    "method_set_order": r"set_[a-z0-9_]+_order",
}


@lru_cache(maxsize=None)
def coroutine_patterns() -> tuple[str, ...]:
    """Patterns of the names of model methods made per related ordering that are coroutines
    (``set_answer_order()``)."""
    from teapot.db.models import base

    return tuple(
        pattern for impl, pattern in _PER_RELATED_ORDERING_PATTERNS.items() if inspect.iscoroutinefunction(getattr(base, impl))
    )


def _per_ordering_coroutines(model) -> set[str]:
    return {
        name
        for impl, names in _PER_ORDERING_NAMES.items()
        if inspect.iscoroutinefunction(getattr(model, impl))
        for name in names
    }


# The vendors' classes of the backend parts (module, class), whose own coroutine methods
# (``_configure_connection``, ``_database_exists``...) Django's backends tests call too.
_VENDORS = ("postgresql", "mysql", "sqlite3")
_VENDOR_CLASSES = (
    ("base", "DatabaseWrapper"),
    ("creation", "DatabaseCreation"),
    ("introspection", "DatabaseIntrospection"),  # a vendor's own: MySQL's get_storage_engine()
    ("operations", "DatabaseOperations"),
    ("schema", "DatabaseSchemaEditor"),
)


@lru_cache(maxsize=None)
def backend_coroutine_names() -> frozenset[str]:
    """Coroutine methods of the connection, its operations, introspection, schema editor and creation, the
    base classes' and each vendor's (``serialize_db_to_string``, ``create_test_db``, and the
    private ones Django's backends tests call: ``_create_test_db``, ``_configure_connection``...).
    Their names are generic (connect, close, add_field...): other objects' methods of those
    names are sync (Signal.connect), so these calls are awaited through ``aw()``. A vendor
    whose driver is not installed is left out."""
    import teapot.db.models  # noqa: F401  (the backends' base modules import it)
    from teapot.db.backends.base.base import BaseDatabaseWrapper
    from teapot.db.backends.base.creation import BaseDatabaseCreation
    from teapot.db.backends.base.operations import BaseDatabaseOperations
    from teapot.db.backends.base.schema import BaseDatabaseSchemaEditor

    classes = [BaseDatabaseWrapper, BaseDatabaseOperations, BaseDatabaseSchemaEditor, BaseDatabaseCreation]
    for vendor in _VENDORS:
        for module, name in _VENDOR_CLASSES:
            try:
                classes.append(getattr(importlib.import_module(f"teapot.db.backends.{vendor}.{module}"), name))
            except ImportError:
                continue
    names: set[str] = set()
    for cls in classes:
        names |= {n for n in _coroutine_methods(cls) if not (n.startswith("__") and n.endswith("__"))}
    # Names mangled from a class's own __private methods: no test calls them.
    return frozenset(n for n in names if not re.match(r"_[A-Za-z0-9]+__", n))


@lru_cache(maxsize=None)
def function_names() -> frozenset[str]:
    """Coroutine functions of teapot.db that tests call by their bare name (reset_queries())."""
    import teapot.db

    return frozenset(n for n, v in vars(teapot.db).items() if inspect.iscoroutinefunction(v))


def _sync_methods(cls) -> set[str]:
    return {name for name, value in inspect.getmembers(cls) if callable(value) and not inspect.iscoroutinefunction(value)}


@lru_cache(maxsize=None)
def ambiguous_names() -> frozenset[str]:
    from teapot.db.models import Q
    from teapot.db.models.sql.query import Query

    other = set(_ALSO_AMBIGUOUS)
    for cls in _OTHER_TYPES:
        other |= set(dir(cls))
    # teapot's own sync methods of those names (Query.exists, the classmethod Q.create).
    for cls in (Query, Q):
        other |= _sync_methods(cls)
    return frozenset(coroutine_names() & other) | backend_coroutine_names()


if __name__ == "__main__":
    print(sorted(coroutine_names()))
    print("ambiguous:", sorted(ambiguous_names()))
    print("functions:", sorted(function_names()))
    print("prefixes:", coroutine_prefixes())
    print("awaitable classes:", sorted(awaitable_classes()))
