"""The symbol index of the snapshot: functions, classes, scopes, and the visitor that reads
them (with their calls, iterations, with-items, assignments and returns) from the code."""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field

import libcst as cst

from tools.libcst_toolkit import dotted, resolve_relative

COROUTINE = "coroutine"
AITER = "aiter"

# Builtins that drain an iterable: over an async iterable they become comprehensions.
CONSUMERS = {"list", "tuple", "set", "frozenset", "sorted", "dict"}

BUILTIN_NAMES = frozenset(dir(builtins))

PROPERTY_DECORATORS = {"property", "cached_property", "classproperty"}
CONTEXTMANAGER_DECORATORS = {"contextmanager"}


@dataclass
class Func:
    qualname: str
    module: str
    cls: str | None
    name: str
    node: cst.FunctionDef
    parent_func: str | None
    is_generator: bool = False
    is_property: bool = False
    is_contextmanager: bool = False
    is_static: bool = False
    calls: list = field(default_factory=list)  # (call expr node, scope)
    iterates: list = field(default_factory=list)  # expressions consumed by for / yield from
    withs: list = field(default_factory=list)  # with-item expressions
    assigns: dict = field(default_factory=dict)  # local name -> values assigned to it
    returned: dict = field(default_factory=dict)  # id -> expression after each ``return``


@dataclass
class Klass:
    qualname: str
    module: str
    name: str
    base_exprs: list
    bases: list = field(default_factory=list)  # resolved qualnames
    methods: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Scope:
    """Where a node sits: its module, enclosing class and enclosing function (qualnames)."""

    module: str
    cls: str | None
    func: str | None


def decorator_names(node: cst.FunctionDef) -> set[str]:
    names = set()
    for dec in node.decorators:
        expr = dec.decorator
        if isinstance(expr, cst.Call):
            expr = expr.func
        name = dotted(expr)
        if name:
            names.add(name.rsplit(".", 1)[-1])
    return names


class _Indexer(cst.CSTVisitor):
    """Collect the functions, classes, imports and call sites of one module."""

    def __init__(self, graph: "CallGraph", module: str, is_package: bool):
        self.graph = graph
        self.module = module
        self.is_package = is_package
        self.stack: list[tuple[str, object]] = []  # ("class", Klass) | ("func", Func)
        self.imports: dict[str, str] = {}
        graph.imports[module] = self.imports
        graph.module_defs.setdefault(module, {})

    # -- naming
    def _prefix(self) -> str:
        if not self.stack:
            return self.module
        return self.stack[-1][1].qualname

    def _func(self) -> Func | None:
        for kind, obj in reversed(self.stack):
            if kind == "func":
                return obj
        return None

    def _cls(self) -> Klass | None:
        return self.stack[-1][1] if self.stack and self.stack[-1][0] == "class" else None

    def scope(self) -> Scope:
        func = self._func()
        cls = None
        for kind, obj in reversed(self.stack):
            if kind == "class":
                cls = obj.qualname
                break
        return Scope(self.module, cls, func.qualname if func else None)

    # -- imports
    def visit_Import(self, node: cst.Import) -> None:
        if self.stack:
            return
        for alias in node.names:
            name = dotted(alias.name)
            if alias.asname:
                self.imports[alias.asname.name.value] = name
            else:
                self.imports[name.split(".")[0]] = name.split(".")[0]

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if self.stack and self._func() is not None:
            return
        base = dotted(node.module) if node.module else None
        level = len(node.relative)
        target = resolve_relative(self.module, self.is_package, level, base) if level else base
        if isinstance(node.names, cst.ImportStar):
            self.graph.star_imports.setdefault(self.module, []).append(target)
            return
        for alias in node.names:
            local = alias.asname.name.value if alias.asname else alias.name.value
            self.imports[local] = f"{target}.{alias.name.value}"

    # -- definitions
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        qual = f"{self._prefix()}.{node.name.value}"
        klass = Klass(qual, self.module, node.name.value, [a.value for a in node.bases])
        self.graph.classes[qual] = klass
        self.graph.class_nodes[id(node)] = qual
        if not self.stack:
            self.graph.module_defs[self.module][node.name.value] = qual
        self.stack.append(("class", klass))

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self.stack.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        cls = self._cls()
        parent = self._func()
        qual = f"{self._prefix()}.{node.name.value}"
        decos = decorator_names(node)
        func = Func(
            qualname=qual,
            module=self.module,
            cls=cls.qualname if cls else None,
            name=node.name.value,
            node=node,
            parent_func=parent.qualname if parent else None,
            is_property=bool(decos & PROPERTY_DECORATORS),
            is_contextmanager=bool(decos & CONTEXTMANAGER_DECORATORS),
            is_static="staticmethod" in decos,
        )
        if qual in self.graph.funcs:
            # A second definition of the same name (``if`` branches, property setters):
            # keep both under distinct keys, the later one shadows for dispatch.
            qual = f"{qual}#{id(node)}"
            func.qualname = qual
        self.graph.funcs[qual] = func
        self.graph.func_nodes[id(node)] = qual
        if cls is not None:
            cls.methods.setdefault(node.name.value, []).append(qual)
        elif parent is None:
            self.graph.module_defs[self.module][node.name.value] = qual
        else:
            self.graph.local_defs.setdefault(parent.qualname, {})[node.name.value] = qual
        self.stack.append(("func", func))

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.stack.pop()

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        # Calls inside a lambda run later, in a sync context: record them separately.
        self.graph.lambda_calls.append((node, self.scope()))
        return True

    # -- uses
    def visit_Call(self, node: cst.Call) -> None:
        func = self._func()
        if func is not None:
            func.calls.append((node, self.scope()))

    def visit_Yield(self, node: cst.Yield) -> None:
        func = self._func()
        if func is not None:
            func.is_generator = True
            if isinstance(node.value, cst.From):
                func.iterates.append((node.value.item, self.scope()))

    def visit_For(self, node: cst.For) -> None:
        func = self._func()
        if func is not None:
            func.iterates.append((node.iter, self.scope()))

    def visit_CompFor(self, node: cst.CompFor) -> None:
        func = self._func()
        if func is not None:
            func.iterates.append((node.iter, self.scope()))

    def visit_WithItem(self, node: cst.WithItem) -> None:
        func = self._func()
        if func is not None:
            func.withs.append((node.item, self.scope()))

    def visit_Assign(self, node: cst.Assign) -> None:
        func = self._func()
        if func is not None and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            func.assigns.setdefault(node.targets[0].target.value, []).append(node.value)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        func = self._func()
        if func is not None and isinstance(node.target, cst.Name):
            func.assigns.setdefault(node.target.value, []).append(node.value)

    def visit_Return(self, node: cst.Return) -> None:
        func = self._func()
        if func is not None and node.value is not None:
            func.returned[id(node.value)] = node.value
