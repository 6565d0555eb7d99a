"""Which calls of a Django model's sync code must be awaited on teapot, and whether that is all
it takes. Hand-written.

The codemod that made the fork decided, for every function of Django's ORM, whether it does
I/O; the fork's classes carry its answer (a coroutine function does, a plain one does not).
This module reads a project's function (a ``save()`` override, a signal receiver) with that
answer in hand and lists the calls that become ``await``: ``super().save()``, ``self.full_clean()``,
``Model.objects.filter(...).update(...)``. It is conservative: any call it cannot follow (a
function of the project or of a library, a relation, a queryset kept in a variable, a thread)
makes it refuse, with a reason a person can act on.
"""

from __future__ import annotations

import ast
import builtins
import functools
import inspect
import types
from dataclasses import dataclass, field

from teapot.adapter.errors import Untranslatable

# Builtins that compute and return, without I/O or reaching into the caller's frame
# (getattr and hasattr are not among them: given a relation's name, they would load it).
PURE_BUILTINS = frozenset(
    {
        "abs", "all", "any", "bool", "bytes", "callable", "chr", "dict", "divmod", "enumerate",
        "filter", "float", "format", "frozenset", "hash", "int", "isinstance",
        "issubclass", "iter", "len", "list", "map", "max", "min", "next", "ord", "pow", "range",
        "repr", "reversed", "round", "set", "setattr", "slice", "sorted", "str", "sum", "super",
        "tuple", "type", "zip",
    }
)

# Standard modules whose functions compute and return (logging writes, but never to a database
# and never through Django).
PURE_MODULES = frozenset(
    {
        "collections", "copy", "datetime", "decimal", "functools", "hashlib", "itertools", "json",
        "logging", "math", "operator", "re", "secrets", "string", "textwrap", "unicodedata", "uuid",
    }
)

THREAD_MODULES = ("threading", "concurrent.futures", "multiprocessing", "_thread")

# Sync queryset methods that return another queryset and query nothing.
QUERYSET_BUILDERS = frozenset(
    {
        "all", "alias", "annotate", "complex_filter", "defer", "distinct", "exclude", "filter",
        "none", "only", "order_by", "prefetch_related", "reverse", "select_for_update",
        "select_related", "using", "values", "values_list",
    }
)


@dataclass
class Subject:
    """What the analysed function works on: the Django model, the names that hold one of its
    instances (``self`` in a method, ``instance`` in a receiver) or the class (``sender``)."""

    model: type
    instance_names: frozenset
    class_names: frozenset = frozenset()
    # A signal receiver: its ``@receiver(...)`` decorator is allowed (teapot connects it itself).
    receiver: bool = False
    # Functions already being checked, so that methods calling each other end.
    checking: set = field(default_factory=set)


def teapot_coroutine(owner: type, name: str) -> bool | None:
    """True when teapot's ``owner.name`` is a coroutine function, False when it is a plain
    attribute, None when teapot's class has no such name."""
    value = inspect.getattr_static(owner, name, None)
    if value is None:
        return None
    if isinstance(value, (staticmethod, classmethod)):
        value = value.__func__
    return inspect.iscoroutinefunction(value)


def _teapot_model():
    from teapot.db.models import Model

    return Model


def _teapot_queryset():
    from teapot.db.models import QuerySet

    return QuerySet


def _dotted(node) -> str:
    """``a.b.c`` for a chain of names; ``?`` for parts that are not."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    if isinstance(node, ast.Call):
        return f"{_dotted(node.func)}(...)"
    if isinstance(node, ast.Constant):
        return repr(node.value)
    return "..."


def _parents(tree) -> dict:
    out = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            out[child] = node
    return out


class _Names:
    """The function's own names: parameters and what it assigns; which of them surely hold
    plain data (the ``*args`` tuple, the ``**kwargs`` dict, locals only ever given literals)."""

    def __init__(self, node: ast.FunctionDef):
        args = node.args
        self.params = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
        self.plain = {a.arg for a in (args.vararg, args.kwarg) if a is not None}
        self.params |= self.plain
        assigned: dict[str, list] = {}
        for sub in ast.walk(node):
            if isinstance(sub, ast.Assign):
                for target in sub.targets:
                    for name in _stored_names(target):
                        assigned.setdefault(name, []).append(sub.value if isinstance(target, ast.Name) else None)
            elif isinstance(sub, (ast.AugAssign, ast.AnnAssign)):
                for name in _stored_names(sub.target):
                    assigned.setdefault(name, []).append(getattr(sub, "value", None))
            elif isinstance(sub, (ast.For, ast.comprehension)):
                for name in _stored_names(sub.target):
                    assigned.setdefault(name, []).append(None)
            elif isinstance(sub, ast.ExceptHandler) and sub.name:
                assigned.setdefault(sub.name, []).append(None)
            elif isinstance(sub, ast.NamedExpr):
                assigned.setdefault(sub.target.id, []).append(sub.value)
        self.locals = set(assigned) | self.params
        for name, values in assigned.items():
            if name not in self.params and all(v is not None and _is_plain(v) for v in values):
                self.plain.add(name)


def _stored_names(target):
    return [n.id for n in ast.walk(target) if isinstance(n, ast.Name)]


def _is_plain(node) -> bool:
    """An expression whose value is built-in data (literals, displays, comprehensions, plain
    builtins' results), never a queryset or a model instance."""
    if isinstance(node, (ast.Constant, ast.JoinedStr)):
        return True
    if isinstance(node, (ast.List, ast.Tuple, ast.Set, ast.Dict, ast.ListComp, ast.SetComp, ast.DictComp)):
        return True  # a built-in container, whatever it holds
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id in {"set", "frozenset", "list", "dict", "tuple", "str", "int", "float", "sorted", "len"}
    if isinstance(node, (ast.Compare, ast.BoolOp)) or (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not)):
        return True
    return False


def plain_data_methods() -> frozenset:
    names = set()
    for kind in (str, bytes, list, dict, set, frozenset, tuple, int, float):
        names.update(n for n in dir(kind) if not n.startswith("_"))
    return frozenset(names)


@functools.lru_cache(maxsize=None)
def io_names() -> frozenset:
    """Names of teapot's coroutine methods on models and querysets: on a value of unknown
    type, a call by one of these names may be one that needs ``await``."""
    names = {n for n, v in vars(_teapot_queryset()).items() if inspect.iscoroutinefunction(v)}
    for klass in _teapot_model().__mro__:
        names.update(n for n, v in vars(klass).items() if inspect.iscoroutinefunction(v))
    # Related managers' add/remove/clear/set are made per relation; their names are I/O too.
    return frozenset(names | {"add", "remove", "clear", "set", "aadd", "aremove", "aclear", "aset"})


class Analysis:
    """Checks one function; ``awaits`` lists the calls that become ``await`` on teapot."""

    def __init__(self, func: types.FunctionType, node: ast.FunctionDef, subject: Subject):
        self.func = func
        self.node = node
        self.subject = subject
        self.names = _Names(node)
        self.parents = _parents(node)
        self.awaits: list[ast.Call] = []
        self.links: set = set()  # inner calls of an ORM chain, checked with its last call

    # -- entry -------------------------------------------------------------------------

    def run(self) -> list[ast.Call]:
        code = self.func.__code__
        free = [name for name in code.co_freevars if name != "__class__"]
        if free:
            raise Untranslatable(f"it uses {_listed(free)} of an enclosing function")
        for decorator in self.node.decorator_list:
            if not (self.subject.receiver and self._is_receiver_decorator(decorator)):
                raise Untranslatable(f"it is decorated with `{_dotted(decorator)}`")
        for sub in ast.walk(self.node):
            self._statement(sub)
        # ast.walk visits a chain's last call before the calls it is made on.
        for sub in ast.walk(self.node):
            if isinstance(sub, ast.Call) and sub not in self.links:
                self._call(sub)
            elif isinstance(sub, ast.Attribute):
                self._attribute(sub)
        for call in self.awaits:
            self._check_await_place(call)
        return self.awaits

    def _is_receiver_decorator(self, decorator) -> bool:
        """``@receiver(...)``, Django's: it only connected the function."""
        from django.dispatch import receiver

        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Name):
            return self._global(target.id) is receiver
        return isinstance(target, ast.Attribute) and target.attr == "receiver" and _dotted(target).startswith("django.")

    # -- statements --------------------------------------------------------------------

    def _statement(self, sub) -> None:
        if sub is self.node:
            return
        if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            raise Untranslatable(f"it defines `{sub.name}` inside its body")
        if isinstance(sub, (ast.Yield, ast.YieldFrom)):
            raise Untranslatable("it is a generator")
        if isinstance(sub, (ast.Import, ast.ImportFrom)):
            what = sub.module if isinstance(sub, ast.ImportFrom) else sub.names[0].name
            raise Untranslatable(f"it imports `{what}` inside its body, which teapot cannot see")
        if isinstance(sub, (ast.Global, ast.Nonlocal)):
            raise Untranslatable(f"it assigns module or enclosing names ({', '.join(sub.names)})")
        if isinstance(sub, ast.With):
            raise Untranslatable(f"it enters `{_dotted(sub.items[0].context_expr)}` in a `with` block, which teapot cannot check")

    def _check_await_place(self, call) -> None:
        node = call
        while node is not self.node:
            parent = self.parents[node]
            if isinstance(parent, (ast.Lambda, ast.GeneratorExp)):
                kind = "a lambda" if isinstance(parent, ast.Lambda) else "a generator expression"
                raise Untranslatable(f"it calls `{_dotted(call.func)}()` inside {kind}, where it cannot be awaited")
            node = parent

    # -- attributes --------------------------------------------------------------------

    def _attribute(self, node: ast.Attribute) -> None:
        """``self.<relation>``: teapot loads relations only when awaited."""
        if not (isinstance(node.value, ast.Name) and node.value.id in self.subject.instance_names):
            return
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            return
        relation = self._relation(node.attr)
        if relation is not None:
            raise Untranslatable(
                f"it reads `{node.value.id}.{node.attr}`, {relation}, which teapot loads only when awaited"
            )
        owner = next((k for k in self.subject.model.__mro__ if node.attr in vars(k)), None)
        value = vars(owner)[node.attr] if owner is not None else None
        if isinstance(value, property) and value.fget is not None and not owner.__module__.startswith("django."):
            self._needs_no_await(value.fget, f"reads `{node.value.id}.{node.attr}`", "property")

    def _relation(self, name: str) -> str | None:
        from django.core.exceptions import FieldDoesNotExist

        try:
            dj_field = self.subject.model._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if not dj_field.is_relation:
            return None
        if dj_field.concrete and (dj_field.many_to_one or dj_field.one_to_one) and name == dj_field.attname:
            return None  # the key's column (order_id) is plain data
        kind = "a related manager" if (dj_field.one_to_many or dj_field.many_to_many) else "a related object"
        return kind

    # -- calls -------------------------------------------------------------------------

    def _call(self, call: ast.Call) -> None:
        func = call.func
        if isinstance(func, ast.Name):
            self._plain_call(call, func.id)
        elif isinstance(func, ast.Attribute):
            self._method_call(call, func)
        else:
            raise Untranslatable(f"it calls `{_dotted(func)}`, which teapot cannot follow")

    def _plain_call(self, call, name: str) -> None:
        if name in self.names.locals:
            raise Untranslatable(f"it calls `{name}`, a value teapot cannot follow")
        value = self._global(name)
        if value is _MISSING:
            raise Untranslatable(f"it calls `{name}`, which is not defined where it is")
        self._check_callable(call, name, value)

    def _global(self, name):
        scope = self.func.__globals__
        if name in scope:
            return scope[name]
        return getattr(builtins, name, _MISSING)

    def _check_callable(self, call, shown: str, value) -> None:
        """A call of a module-level object (a function, a class) found in the globals."""
        from teapot.adapter.twins import twin

        if value is getattr(builtins, shown, None) and shown in PURE_BUILTINS:
            return
        if isinstance(value, type) and issubclass(value, BaseException):
            return  # raising an exception of one's own is fine
        module = getattr(value, "__module__", "") or ""
        if module.split(".")[0] in PURE_MODULES:
            return
        if module.startswith(THREAD_MODULES):
            raise Untranslatable(f"it calls `{shown}`, which uses threads")
        if module == "django" or module.startswith("django."):
            self._call_of_twin(call, twin(value), f"`{shown}` ({module})")
            return
        raise Untranslatable(f"it calls `{shown}`, which teapot cannot see")

    def _call_of_twin(self, call, found, described: str) -> None:
        """A call of Django's ``found`` twin in teapot: awaited if it is a coroutine function."""
        if found is None:
            raise Untranslatable(f"it calls {described}, which teapot cannot see")
        if inspect.iscoroutinefunction(found):
            self.awaits.append(call)

    def _method_call(self, call, func: ast.Attribute) -> None:
        receiver, name = func.value, func.attr
        if _is_super(receiver):
            return self._super_call(call, receiver, name)
        if isinstance(receiver, ast.Name):
            if receiver.id in self.subject.instance_names:
                return self._instance_call(call, receiver.id, name)
            if receiver.id in self.names.locals:
                return self._local_call(call, receiver.id, name)
            value = self._global(receiver.id)
            if isinstance(value, types.ModuleType):
                return self._module_call(call, receiver.id, value, name)
            import logging

            if isinstance(value, logging.Logger):
                return
        if self._model_class(receiver) is not None:
            raise Untranslatable(f"it calls `{_dotted(func)}()`, a class method teapot does not follow")
        if self._orm_chain(call):
            return
        if isinstance(receiver, ast.Attribute) and self._instance_field_value(receiver):
            return  # a method of a stored value: self.code.upper()
        if name in PLAIN_DATA_METHODS and self._plain_value(receiver):
            return  # ", ".join(...), self.code.strip().upper()
        if isinstance(receiver, ast.Call):
            self._call(receiver)  # a refusal of the inner call says more
        raise Untranslatable(f"it calls `{_dotted(func)}()`, which teapot cannot follow")

    def _super_call(self, call, receiver: ast.Call, name: str) -> None:
        if receiver.args or receiver.keywords:
            raise Untranslatable("it calls super() with arguments; write super() without them")
        if "__class__" not in self.func.__code__.co_freevars:
            raise Untranslatable("it calls super() outside a class body")
        colour = teapot_coroutine(_teapot_model(), name)
        if colour is None:
            raise Untranslatable(f"it calls `super().{name}()`, which teapot's Model does not have")
        if colour:
            self.awaits.append(call)

    def _instance_call(self, call, holder: str, name: str) -> None:
        """``self.name(...)``: one of teapot's coroutines (await), a method of the project's
        that must itself need no await, or a plain method of teapot's Model."""
        owner = next((k for k in self.subject.model.__mro__ if name in vars(k)), None)
        if owner is None:
            raise Untranslatable(f"it calls `{holder}.{name}()`, which the model does not have")
        value = vars(owner)[name]
        from_django = (owner.__module__ or "").startswith("django.")
        colour = teapot_coroutine(_teapot_model(), name)
        if colour:
            self.awaits.append(call)  # teapot's coroutine, or an override teapot translates
            return
        if from_django:
            if colour is None and type(value).__name__ != "partialmethod":
                raise Untranslatable(f"it calls `{holder}.{name}()`, which teapot's Model does not have")
            return
        func = value.__func__ if isinstance(value, (staticmethod, classmethod)) else value
        if not isinstance(func, types.FunctionType):
            raise Untranslatable(f"it calls `{holder}.{name}()`, which teapot cannot follow")
        self._needs_no_await(func, f"calls `{holder}.{name}()`", "method")

    def _needs_no_await(self, func, action: str, kind: str) -> None:
        """A sync method or property of the project used by the analysed code stays sync on
        teapot: it may do no I/O at all. ``action`` says how it is used (``calls `self.f()```)."""
        if func in self.subject.checking:
            return
        self.subject.checking.add(func)
        try:
            _, awaits = analyse(func, self.subject)
        except Untranslatable as refused:
            raise Untranslatable(f"it {action}, and {refused.reason}") from None
        if awaits:
            raise Untranslatable(
                f"it {action}, which does I/O (`{_dotted(awaits[0].func)}()`) and is copied as a sync {kind}"
            )

    def _local_call(self, call, name: str, method: str) -> None:
        if method not in PLAIN_DATA_METHODS:
            raise Untranslatable(f"it calls `{name}.{method}()`, which teapot cannot follow")
        if name in self.names.plain or method not in io_names():
            return
        raise Untranslatable(f"it calls `{name}.{method}()`, and teapot cannot tell whether `{name}` holds a queryset")

    def _module_call(self, call, shown: str, module: types.ModuleType, name: str) -> None:
        from teapot.adapter.twins import twin

        root = module.__name__.split(".")[0]
        if module.__name__.startswith(THREAD_MODULES):
            raise Untranslatable(f"it calls `{shown}.{name}()`, which uses threads")
        if root in PURE_MODULES:
            return
        if root == "django":
            teapot_module = twin(module)
            found = getattr(teapot_module, name, None) if teapot_module is not None else None
            self._call_of_twin(call, found, f"`{shown}.{name}()` ({module.__name__})")
            return
        raise Untranslatable(f"it calls `{shown}.{name}()` ({module.__name__}), which teapot cannot see")

    # -- the ORM -----------------------------------------------------------------------

    def _model_class(self, node):
        """The Django model class ``node`` names: a model of the module's globals,
        ``type(self)``, ``self.__class__`` or a receiver's ``sender``."""
        from django.db.models import Model

        if isinstance(node, ast.Name):
            if node.id in self.subject.class_names:
                return self.subject.model
            if node.id in self.names.locals:
                return None
            value = self._global(node.id)
            return value if isinstance(value, type) and issubclass(value, Model) else None
        if isinstance(node, ast.Attribute) and node.attr == "__class__":
            if isinstance(node.value, ast.Name) and node.value.id in self.subject.instance_names:
                return self.subject.model
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "type":
            if len(node.args) == 1 and isinstance(node.args[0], ast.Name) and node.args[0].id in self.subject.instance_names:
                return self.subject.model
        return None

    def _orm_chain(self, call: ast.Call) -> bool:
        """``Model.manager.builder(...)...last(...)``: ``last`` a coroutine of teapot's
        QuerySet (awaited), or a builder whose queryset is an argument of such a call."""
        from django.db.models import Manager

        links = []
        node = call
        while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            links.append(node)
            node = node.func.value
        if not (isinstance(node, ast.Attribute)):
            return False
        model = self._model_class(node.value)
        if model is None or not isinstance(getattr(model, node.attr, None), Manager):
            return False
        shown = f"{_dotted(node)}"
        queryset = _teapot_queryset()
        self.links.update(links[1:])
        for link in reversed(links[1:]):
            name = link.func.attr
            if name not in QUERYSET_BUILDERS:
                raise Untranslatable(f"it calls `{shown}.{name}()`, which teapot cannot follow inside a query")
            shown += f".{name}()"
        last = links[0].func.attr
        if teapot_coroutine(queryset, last):
            self.awaits.append(call)
            return True
        if last in QUERYSET_BUILDERS:
            if self._is_orm_argument(call):
                return True
            raise Untranslatable(
                f"it builds a queryset (`{shown}.{last}()`) that is evaluated elsewhere, which teapot cannot follow"
            )
        raise Untranslatable(f"it calls `{shown}.{last}()`, which teapot cannot follow")

    def _is_orm_argument(self, node) -> bool:
        parent = self.parents.get(node)
        if isinstance(parent, ast.keyword):
            parent = self.parents.get(parent)
        if not isinstance(parent, ast.Call) or node is parent.func:
            return False
        try:
            return any(parent is c or parent in _chain_calls(c) for c in self.awaits) or self._orm_chain(parent)
        except Untranslatable:
            return False

    def _plain_value(self, node) -> bool:
        """Whether ``node`` surely holds built-in data: a literal, a stored field's value, a
        local only ever given literals, or a built-in method's result on one of those."""
        if isinstance(node, (ast.Constant, ast.JoinedStr, ast.List, ast.Dict, ast.Set, ast.Tuple)):
            return True
        if isinstance(node, ast.Name):
            return node.id in self.names.plain
        if isinstance(node, ast.Attribute):
            return self._instance_field_value(node)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            return node.func.attr in PLAIN_DATA_METHODS and self._plain_value(node.func.value)
        return False

    def _instance_field_value(self, node: ast.Attribute) -> bool:
        """``self.<concrete field>``: the stored value, built-in data or a custom field's value."""
        from django.core.exceptions import FieldDoesNotExist

        if not (isinstance(node.value, ast.Name) and node.value.id in self.subject.instance_names):
            return False
        if node.attr == "pk":
            return True
        opts = self.subject.model._meta
        for dj_field in opts.concrete_fields:
            if node.attr == dj_field.attname:
                return True
        try:
            dj_field = opts.get_field(node.attr)
        except FieldDoesNotExist:
            return False
        return dj_field.concrete and not dj_field.is_relation


def _chain_calls(call):
    out = []
    node = call
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        out.append(node)
        node = node.func.value
    return out


def _is_super(node) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "super"


def _listed(names) -> str:
    return ", ".join(f"`{n}`" for n in names)


_MISSING = object()
PLAIN_DATA_METHODS = plain_data_methods()


def parse(func: types.FunctionType) -> ast.FunctionDef:
    """The syntax tree of ``func``'s ``def``, its line numbers those of its source file."""
    return parse_source(source_of(func), func)


def parse_source(source: str, func: types.FunctionType):
    """The function of ``source`` (the text of ``func``, indented or not, decorators first),
    its line numbers those of ``func``'s file."""
    indented = source[:1].isspace()
    tree = ast.parse(f"class _:\n{source}" if indented else source)
    node = (tree.body[0].body if indented else tree.body)[0]
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or node.name != func.__name__:
        raise Untranslatable("its source is not a plain `def` of that name")
    ast.increment_lineno(node, func.__code__.co_firstlineno - (2 if indented else 1))
    return node


def source_of(func: types.FunctionType) -> str:
    try:
        return inspect.getsource(func)
    except (OSError, TypeError) as error:
        raise Untranslatable(f"its source is not available ({error})") from None


def analyse(func: types.FunctionType, subject: Subject) -> tuple[ast.FunctionDef, list[ast.Call]]:
    """The ``def`` of ``func`` and those of its calls that become ``await`` on teapot;
    raises Untranslatable."""
    if not isinstance(func, types.FunctionType):
        raise Untranslatable(f"it is a {type(func).__name__}, not a function")
    if inspect.iscoroutinefunction(func) or inspect.isgeneratorfunction(func):
        raise Untranslatable("it is already a coroutine or a generator")
    node = parse(func)
    return node, Analysis(func, node, subject).run()
