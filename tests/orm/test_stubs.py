"""The type stubs (tools/codemod/stubs/) against the code they describe, as it runs.

Every function, method and attribute a stub declares exists; it is a coroutine function
exactly where the stub says ``async def``; its parameters have the stub's names, kinds and
defaults. A class's public methods are all declared (a missing one would be a type error in
code that works), and so are a module's public functions unless its stub ends in
``__getattr__`` (then the rest is Any). What a stub declares for type checkers alone is
absent at run time.
"""

import ast
import importlib
import inspect
from pathlib import Path

import pytest

from teapot.db import transaction
from teapot.db.models import Model
from teapot.db.models.manager import BaseManager, EmptyManager, Manager, ManagerDescriptor
from teapot.db.models.query import QuerySet, RawQuerySet
from tests.database.testapp.models import Author, Book

STUBS = Path(__file__).resolve().parents[2] / "tools" / "codemod" / "stubs"
STUB_FILES = sorted(path.relative_to(STUBS).as_posix() for path in STUBS.rglob("*.pyi"))

# Declared so that type checkers read a field's value through an instance as Any, and any
# attribute Django adds to a model class (`id`, `author_id`, reverse relations) as Any.
TYPE_CHECKERS_ONLY = {("Field", "__get__"), ("Model", "__getattr__")}
# Classes made per relation at run time (inside factory functions): named by the stubs only.
STUB_ONLY_CLASSES = {"RelatedManager", "ManyRelatedManager"}
# Public methods left out on purpose: the ORM's own machinery (prefetching, raw rows) calls
# them, users do not.
PREFETCHING = {"get_prefetch_queryset", "get_prefetch_querysets"}
NOT_DECLARED = {
    "RawQuerySet": {"resolve_model_init_order"},
    "Prefetch": {
        "add_prefix", "get_current_prefetch_to", "get_current_to_attr", "get_current_queryset", "get_current_querysets",
    },
    "RelatedManager": PREFETCHING,
    "ManyRelatedManager": PREFETCHING | {"get_prefetch_cache", "constrained_target"},
}
NO_DEFAULT = object()


def runtime_module(stub: str):
    name = "teapot." + stub.removesuffix(".pyi").removesuffix("/__init__").replace("/", ".")
    return importlib.import_module(name)


def described():
    """Stub class name -> (the class it describes, an object to read its attributes from) where
    the class alone does not do: attributes set in __init__, classes made at run time. The
    others are the runtime module's class of the same name."""
    book = Book(pk=1)  # a primary key is all a related manager needs to be made
    return {
        "Model": (Model, Author(name="Ann")),
        "QuerySet": (QuerySet, Author.objects.all()),
        "RawQuerySet": (RawQuerySet, Author.objects.raw("SELECT 1")),
        "BaseManager": (BaseManager, Author.objects),
        "Manager": (Manager, Author.objects),
        "EmptyManager": (EmptyManager, EmptyManager(Author)),
        "ManagerDescriptor": (ManagerDescriptor, inspect.getattr_static(Author, "objects")),
        # Book.loans is a nullable foreign key's reverse (remove() and clear() exist);
        # Book.tags a many-to-many field.
        "RelatedManager": (type(book.loans), book.loans),
        "ManyRelatedManager": (type(book.tags), book.tags),
        "Atomic": (transaction.Atomic, transaction.atomic()),
        "MarkForRollbackOnError": (
            transaction.MarkForRollbackOnError, transaction.mark_for_rollback_on_error(),
        ),
    }


def runtime_class(name: str, stub: str):
    return described().get(name, (getattr(runtime_module(stub), name, None),))[0]


def stub_classes() -> dict[str, tuple[str, ast.ClassDef]]:
    found = {}
    for stub in STUB_FILES:
        for node in ast.parse((STUBS / stub).read_text()).body:
            if isinstance(node, ast.ClassDef):
                assert node.name not in found, f"{node.name} is declared in two stubs"
                found[node.name] = (stub, node)
    return found


def is_overload(node) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "overload" for d in node.decorator_list)


def decorator_names(node) -> set[str]:
    return {d.id for d in node.decorator_list if isinstance(d, ast.Name)} | {
        d.attr for d in node.decorator_list if isinstance(d, ast.Attribute)
    }


def stub_parameters(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[tuple[str, str, object]]:
    args = node.args
    positional = args.posonlyargs + args.args
    defaults = [NO_DEFAULT] * (len(positional) - len(args.defaults)) + list(args.defaults)
    out = [
        (arg.arg, "POSITIONAL_ONLY" if arg in args.posonlyargs else "POSITIONAL_OR_KEYWORD", default)
        for arg, default in zip(positional, defaults)
    ]
    if args.vararg:
        out.append((args.vararg.arg, "VAR_POSITIONAL", NO_DEFAULT))
    out += [
        (arg.arg, "KEYWORD_ONLY", NO_DEFAULT if default is None else default)
        for arg, default in zip(args.kwonlyargs, args.kw_defaults)
    ]
    if args.kwarg:
        out.append((args.kwarg.arg, "VAR_KEYWORD", NO_DEFAULT))
    return [(name, kind, literal(default)) for name, kind, default in out]


def literal(default):
    if default is NO_DEFAULT:
        return NO_DEFAULT
    try:
        return ast.literal_eval(default)
    except ValueError:
        return ...  # not a literal: only its presence is compared


def runtime_parameters(function) -> list[tuple[str, str, object]]:
    return [
        (p.name, p.kind.name, NO_DEFAULT if p.default is inspect.Parameter.empty else p.default)
        for p in inspect.signature(function).parameters.values()
    ]


def function_of(attribute):
    """The plain function behind a class attribute; a manager's method is the queryset's."""
    if isinstance(attribute, (classmethod, staticmethod)):
        attribute = attribute.__func__
    return inspect.unwrap(attribute) if callable(attribute) else attribute


def parameters_differ(declared, actual) -> bool:
    """Names and kinds must be equal; defaults too, where the stub gives a literal one."""
    if [(name, kind) for name, kind, _ in declared] != [(name, kind) for name, kind, _ in actual]:
        return True
    for (_, _, said), (_, _, real) in zip(declared, actual):
        if said is NO_DEFAULT or real is NO_DEFAULT:
            if said is not real:
                return True
        elif said is not ... and said != real:
            return True
    return False


def check_function(where: str, node, attribute) -> list[str]:
    problems = []
    function = function_of(attribute)
    if not callable(function):
        return [f"{where} is declared as a function but is {type(attribute).__name__} at run time"]
    if isinstance(node, ast.AsyncFunctionDef) != inspect.iscoroutinefunction(function):
        said = "async def" if isinstance(node, ast.AsyncFunctionDef) else "def"
        problems.append(f"{where}: the stub says {said}, run time says otherwise")
    if "classmethod" in decorator_names(node) and not isinstance(attribute, classmethod):
        problems.append(f"{where} is a classmethod in the stub only")
    if not is_overload(node) and parameters_differ(stub_parameters(node), runtime_parameters(function)):
        problems.append(f"{where}: the parameters differ from the run time's {runtime_parameters(function)}")
    return problems


def class_members(node: ast.ClassDef):
    for member in node.body:
        if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield member.name, member
        elif isinstance(member, ast.AnnAssign) and isinstance(member.target, ast.Name):
            yield member.target.id, member


def has_attribute(sample, name: str) -> bool:
    """Whether ``sample`` or its class (its metaclass included) has ``name``, without running a
    property (a raw queryset's columns need a query) or a descriptor (a manager refuses
    instances)."""
    for owner in (sample, type(sample)):
        try:
            inspect.getattr_static(owner, name)
        except AttributeError:
            continue
        return True
    return False


def base_names(node: ast.ClassDef) -> list[str]:
    """``Manager`` for ``Manager[_M]`` and ``Manager``."""
    return [(base.value if isinstance(base, ast.Subscript) else base).id for base in node.bases]


def declared_names(name: str, classes) -> set[str]:
    """The members a stub class declares, its stub bases' included."""
    stub, node = classes[name]
    names = {member for member, _ in class_members(node)}
    for base in base_names(node):
        if base in classes:
            names |= declared_names(base, classes)
    return names


def falls_back_to_any(name: str, classes) -> bool:
    """Whether a stub class has Any among its stub bases: then what it leaves out is Any."""
    stub, node = classes[name]
    return any(base == "Any" or (base in classes and falls_back_to_any(base, classes)) for base in base_names(node))


def public_methods(cls) -> set[str]:
    """Public methods and properties of ``cls`` and of its bases within teapot."""
    names = set()
    for klass in cls.__mro__:
        if not klass.__module__.startswith("teapot"):
            continue
        for name, value in vars(klass).items():
            if not name.startswith("_") and (callable(value) or isinstance(value, (property, classmethod))):
                names.add(name)
    return names


@pytest.mark.parametrize("name", sorted(stub_classes()))
def test_a_stub_class_matches_its_runtime_class(name):
    classes = stub_classes()
    stub, node = classes[name]
    cls, sample = described().get(name) or (runtime_class(name, stub),) * 2
    problems = []
    for member, declaration in class_members(node):
        where = f"{name}.{member}"
        if (name, member) in TYPE_CHECKERS_ONLY:
            if hasattr(cls, member):
                problems.append(f"{where} is declared for type checkers only, but exists at run time now")
        elif isinstance(declaration, ast.AnnAssign) or decorator_names(declaration) & {"property", "setter"}:
            if not has_attribute(sample, member):
                problems.append(f"{where} is declared but missing at run time")
        else:
            try:
                attribute = inspect.getattr_static(cls, member)
            except AttributeError:
                problems.append(f"{where} is declared but missing at run time")
            else:
                problems += check_function(where, declaration, attribute)
    for base in base_names(node):
        if base in classes and runtime_class(base, classes[base][0]) not in cls.__mro__:
            problems.append(f"{name}: {base} is a base in the stub, not at run time")
    if not falls_back_to_any(name, classes):
        missing = public_methods(cls) - declared_names(name, classes) - NOT_DECLARED.get(name, set())
        problems += [f"{name}.{member} exists at run time but is not declared" for member in sorted(missing)]
    assert problems == []


@pytest.mark.parametrize("stub", STUB_FILES)
def test_a_stub_module_matches_its_runtime_module(stub):
    module = runtime_module(stub)
    tree = ast.parse((STUBS / stub).read_text())
    problems = []
    declared = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            declared.add(node.name)
            if node.name == "__getattr__":
                if hasattr(module, "__getattr__"):
                    problems.append(f"{stub}: __getattr__ is declared for type checkers only, but exists at run time")
            elif not hasattr(module, node.name):
                problems.append(f"{stub}: {node.name} is declared but missing at run time")
            else:
                problems += check_function(f"{stub}: {node.name}", node, getattr(module, node.name))
        elif isinstance(node, ast.ClassDef):
            declared.add(node.name)
            stub_only = node.name in STUB_ONLY_CLASSES
            if hasattr(module, node.name) == stub_only:
                problems.append(f"{stub}: class {node.name} {'exists' if stub_only else 'is missing'} at run time")
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            declared.add(node.target.id)
            if not hasattr(module, node.target.id):
                problems.append(f"{stub}: {node.target.id} is declared but missing at run time")
        elif isinstance(node, ast.Assign) and [t.id for t in node.targets if isinstance(t, ast.Name)] == ["__all__"]:
            if ast.literal_eval(node.value) != module.__all__:
                problems.append(f"{stub}: __all__ differs from the module's")
    if "__getattr__" not in declared:
        public = {
            name
            for name, value in vars(module).items()
            if not name.startswith("_") and getattr(value, "__module__", None) == module.__name__ and callable(value)
        }
        problems += [f"{stub}: {name} exists at run time but is not declared" for name in sorted(public - declared)]
    assert problems == []
