"""Facts before transforms: which functions of the snapshot do I/O, and in which colour.

Every function and class of the pruned snapshot is indexed by a qualified name built from
its module and its enclosing classes and functions (``django.db.models.query.QuerySet.get``;
a class made inside a function reads ``...create_forward_many_to_many_manager.ManyRelatedManager``).

Colours:

* ``coroutine``: becomes ``async def``; its call sites get ``await``.
* ``aiter``: a generator that does I/O; becomes an async generator, consumed with ``async for``.

The colouring starts from the I/O seeds of ``tables/colouring.toml`` and from the colours of
the hand-written overrides, then spreads to callers until nothing changes. A call is resolved
to its possible targets by ``CallGraph.resolve_call`` (receiver typing, class-hierarchy
dispatch, imports); the rules in ``rules/`` use the same resolution, so the facts and the
rewrite agree.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field

import libcst as cst

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


def dotted(expr) -> str | None:
    """``a.b.c`` for a chain of names and attributes, else None."""
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        head = dotted(expr.value)
        return f"{head}.{expr.attr.value}" if head else None
    return None


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
    def _resolve_relative(self, level: int, module: str | None) -> str:
        parts = self.module.split(".")
        if not self.is_package:
            parts = parts[:-1]
        if level > 1:
            parts = parts[: len(parts) - (level - 1)]
        return ".".join(parts + ([module] if module else []))

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
        target = self._resolve_relative(level, base) if level else base
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


class CallGraph:
    """The index of the snapshot plus the colouring computed over it."""

    def __init__(self, tables: dict):
        self.tables = tables
        self.funcs: dict[str, Func] = {}
        self.classes: dict[str, Klass] = {}
        self.imports: dict[str, dict[str, str]] = {}
        self.star_imports: dict[str, list[str]] = {}
        self.module_defs: dict[str, dict[str, str]] = {}
        self.local_defs: dict[str, dict[str, str]] = {}
        self.func_nodes: dict[int, str] = {}
        self.class_nodes: dict[int, str] = {}
        self.lambda_calls: list = []
        self.subclasses: dict[str, set[str]] = {}
        self.colour: dict[str, str] = {}
        self.fixed: dict[str, str | None] = {}  # overrides: qualname -> colour or None (sync)
        self.reasons: dict[str, str] = {}
        self.used_entries: set[tuple[str, str]] = set()
        typing = tables.get("receiver_types", {})
        self.receiver_types: dict[str, list[str]] = {k: list(v) for k, v in typing.items()}
        # Receivers whose methods' returns are trusted over the name-based typing of the call.
        self.exact_receivers: set[str] = set(tables.get("exact_receivers", ()))
        # Methods whose return the table states (their own returns name the driver's object).
        self.returns: dict[str, str] = dict(tables.get("returns", {}))
        self.ambiguous = set(tables.get("ambiguous_method_names", []))
        self.keep_sync = set(tables.get("keep_sync", []))
        self.driver_calls: dict[str, dict[str, list[str]]] = tables.get("driver_calls", {})
        self.dynamic_bases: dict[str, list[str]] = tables.get("dynamic_bases", {})
        self._types: dict = {}
        self.protocol_methods = set(tables.get("protocol_methods", []))
        self.awaited_constructions = set(tables.get("awaited_constructions", []))
        # Signals sent with Signal.asend (rules.toml async_signals): a function that sends one
        # is a coroutine, since its receivers may do I/O (post_migrate's create_permissions).
        self.async_signals = set(tables.get("async_signals", []))
        self._awaited_by_name = {q.rpartition(".")[2]: q for q in self.awaited_constructions}

    # ------------------------------------------------------------------ indexing
    def add_module(self, module: str, tree: cst.Module, is_package: bool) -> None:
        tree.visit(_Indexer(self, module, is_package))

    def add_new_method(self, qual: str, node: cst.FunctionDef) -> None:
        """A method an override adds (``CursorWrapper.fetchone``): dispatch must find it."""
        cls_qual, _, name = qual.rpartition(".")
        klass = self.classes.get(cls_qual)
        if klass is None or not isinstance(node, cst.FunctionDef):
            return
        self.funcs[qual] = Func(qual, klass.module, cls_qual, name, node, None)
        klass.methods.setdefault(name, []).append(qual)

    def link(self) -> None:
        for klass in self.classes.values():
            klass.bases = [q for q in (self.resolve_class_expr(e, klass.module) for e in klass.base_exprs) if q]
            if klass.qualname in self.dynamic_bases:
                self.used_entries.add(("dynamic_bases", klass.qualname))
                klass.bases += [b for b in self.dynamic_bases[klass.qualname] if b in self.classes]
            for base in klass.bases:
                self.subclasses.setdefault(base, set()).add(klass.qualname)

    def resolve_symbol(self, module: str, name: str, depth: int = 0) -> str | None:
        """Qualified name of ``name`` as seen from ``module`` (follows re-exports)."""
        if depth > 10:
            return None
        head, _, rest = name.partition(".")
        target = self.module_defs.get(module, {}).get(head)
        if target is None:
            imported = self.imports.get(module, {}).get(head)
            if imported is None:
                for star in self.star_imports.get(module, []):
                    found = self.resolve_symbol(star, head, depth + 1)
                    if found:
                        target = found
                        break
                else:
                    return None
            elif imported in self.module_defs:
                target = imported
            else:
                mod, _, attr = imported.rpartition(".")
                target = self.resolve_symbol(mod, attr, depth + 1) if mod in self.module_defs else imported
                if target is None:
                    target = imported
        if not rest:
            return target
        if target in self.module_defs:
            return self.resolve_symbol(target, rest, depth + 1) or f"{target}.{rest}"
        return f"{target}.{rest}"

    def resolve_class_expr(self, expr, module: str) -> str | None:
        name = dotted(expr)
        if not name:
            return None
        qual = self.resolve_symbol(module, name)
        return qual if qual in self.classes else None

    # ------------------------------------------------------------------ hierarchy
    def mro(self, cls: str) -> list[str]:
        seen: list[str] = []
        todo = [cls]
        while todo:
            c = todo.pop(0)
            if c in seen or c not in self.classes:
                continue
            seen.append(c)
            todo.extend(self.classes[c].bases)
        return seen

    def all_subclasses(self, cls: str) -> set[str]:
        out: set[str] = set()
        todo = [cls]
        while todo:
            for sub in self.subclasses.get(todo.pop(), ()):
                if sub not in out:
                    out.add(sub)
                    todo.append(sub)
        return out

    def lookup(self, cls: str, name: str) -> list[str]:
        for c in self.mro(cls):
            quals = self.classes[c].methods.get(name)
            if quals:
                return quals
        return []

    def dispatch(self, cls: str, name: str, include_subclasses: bool = True) -> set[str]:
        """Every method a call ``obj.name()`` may reach when obj is a ``cls``."""
        out = set(self.lookup(cls, name))
        if include_subclasses:
            for sub in self.all_subclasses(cls):
                out.update(self.classes[sub].methods.get(name, ()))
        return out

    def family(self, root: str) -> set[str]:
        """Receiver-type roots may be a short class name: find every class of that name."""
        if root in self.classes:
            return {root}
        return {q for q, k in self.classes.items() if k.name == root}

    # ------------------------------------------------------------------ resolution
    def receiver_key(self, expr) -> str | None:
        """A name for the receiver of a method call, for the receiver-typing table."""
        if isinstance(expr, cst.Name):
            return expr.value
        if isinstance(expr, cst.Attribute):
            return expr.attr.value
        if isinstance(expr, cst.Subscript):
            inner = self.receiver_key(expr.value)
            return f"{inner}[]" if inner else None
        if isinstance(expr, cst.Call):
            if isinstance(expr.func, cst.Name) and expr.func.value in BUILTIN_NAMES:
                return None  # filter(None, ...) is not QuerySet.filter()
            inner = self.receiver_key(expr.func)
            return f"{inner}()" if inner else None
        return None

    def receiver_classes(self, expr, scope: Scope, depth: int = 0) -> set[str] | None:
        """The classes an expression may hold, or None when nothing is known. In order: what
        the function assigned to a local name (``obj = self.model(...)``); what a method or
        property of a typed receiver returns (``self.using(db)``); the receiver-typing table;
        a constructor call. The answer depends on the snapshot only, so it is cached."""
        key = (id(expr), scope)
        if key not in self._types:
            self._types[key] = None  # a cycle of returns reads as unknown
            self._types[key] = self._receiver_classes(expr, scope, depth)
        return self._types[key]

    def _typed_by_table(self, expr) -> bool:
        return isinstance(expr, cst.Name) and expr.value in self.receiver_types and expr.value in self.exact_receivers

    def _receiver_classes(self, expr, scope: Scope, depth: int) -> set[str] | None:
        if depth > 8:
            return None
        if isinstance(expr, cst.Name) and expr.value in ("self", "cls") and scope.cls:
            return {scope.cls}
        if isinstance(expr, cst.Name) and scope.func in self.funcs:
            known = set()
            for value in self.funcs[scope.func].assigns.get(expr.value, ()):
                known |= self.receiver_classes(value, scope, depth + 1) or set()
            if known:
                return known
        member = expr.func if isinstance(expr, cst.Call) else expr
        if isinstance(member, cst.Attribute):
            owners = self.receiver_classes(member.value, scope, depth + 1)
            targets = {t for owner in owners or () for t in self.dispatch(owner, member.attr.value)}
            # A call reads what a method returns; an attribute what a property returns.
            targets = {t for t in targets if self.funcs[t].is_property != isinstance(expr, cst.Call)}
            if targets:
                known = set()
                for target in targets:
                    if target in self.returns:
                        self.used_entries.add(("returns", target))
                        known |= self.family(self.returns[target])
                        continue
                    func = self.funcs[target]
                    inner = Scope(func.module, func.cls, func.qualname)
                    for value in func.returned.values():
                        known |= self.receiver_classes(value, inner, depth + 1) or set()
                if known or self._is_self_call(expr, scope) or self._typed_by_table(member.value):
                    # ``self.all()`` returns what this class's all() returns, whatever the
                    # name suggests; so does a method of a receiver the table types
                    # (``connections.all()`` is a list, not a queryset).
                    return known or None
        name = self.receiver_key(expr)
        if name in self.receiver_types:
            self.used_entries.add(("receiver_types", name))
            return {cls for root in self.receiver_types[name] for cls in self.family(root)}
        if isinstance(expr, cst.Call):
            if dotted(expr.func) in ("cls", "self.__class__", "type(self)") and scope.cls:
                return {scope.cls}
            cls = self.class_of_call(expr, scope)
            return {cls} if cls else None
        if isinstance(expr, cst.IfExp):
            found = [self.receiver_classes(e, scope, depth + 1) for e in (expr.body, expr.orelse)]
            known = [f for f in found if f]
            return set().union(*known) if known else None
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, (cst.BitAnd, cst.BitOr, cst.BitXor)):
            # ``q & Exists(...)``: combining a Q or a conditional expression gives a Q.
            q = "django.db.models.query_utils.Q"
            combinable = "django.db.models.expressions.Combinable"
            if q in self.classes:
                for operand in (expr.left, expr.right):
                    for cls in self.receiver_classes(operand, scope, depth + 1) or ():
                        if q in self.mro(cls) or combinable in self.mro(cls):
                            return {q}
        return None

    @staticmethod
    def _is_self_call(expr, scope: Scope) -> bool:
        return (
            isinstance(expr, cst.Call)
            and isinstance(expr.func, cst.Attribute)
            and isinstance(expr.func.value, cst.Name)
            and expr.func.value.value in ("self", "cls")
            and scope.cls is not None
        )

    def resolve_call(self, func_expr, scope: Scope) -> set[str]:
        """Qualified names of the functions a call to ``func_expr`` may run."""
        if isinstance(func_expr, cst.Name):
            name = func_expr.value
            fn = scope.func
            while fn:
                local = self.local_defs.get(fn, {}).get(name)
                if local:
                    return {local}
                fn = self.funcs[fn].parent_func if fn in self.funcs else None
            qual = self.resolve_symbol(scope.module, name)
            if qual in self.funcs:
                return {qual}
            return set()
        if not isinstance(func_expr, cst.Attribute):
            return set()
        name = func_expr.attr.value
        recv = func_expr.value
        if isinstance(recv, cst.Name) and recv.value in ("self", "cls") and scope.cls:
            return self.dispatch(scope.cls, name)
        if isinstance(recv, cst.Call) and dotted(recv.func) == "super" and scope.cls:
            out: set[str] = set()
            for base in self.classes[scope.cls].bases:
                out.update(self.lookup(base, name))
            return out
        path = dotted(recv)
        if path and isinstance(recv, cst.Name | cst.Attribute):
            qual = self.resolve_symbol(scope.module, path) if path.split(".")[0] not in ("self", "cls") else None
            if qual in self.module_defs:
                target = self.resolve_symbol(qual, name)
                return {target} if target in self.funcs else set()
            if qual in self.classes:
                return set(self.lookup(qual, name))
            head = path.split(".")[0]
            if head in self.imports.get(scope.module, {}) and qual is not None and not qual.startswith("django"):
                return set()  # a module or object from outside the snapshot (re, json, ...)
        classes = self.receiver_classes(recv, scope)
        if classes is not None:
            out = set()
            for cls in classes:
                out |= self.dispatch(cls, name)
            if out:
                return out
            # A type that has no such method was a wrong guess (``obj.__class__ = ...``).
        if name in self.ambiguous:
            return set()
        return set(self.by_name(name))

    def by_name(self, name: str):
        index = getattr(self, "_by_name", None)
        if index is None:
            index = {}
            for qual, f in self.funcs.items():
                if f.cls and not f.is_property:
                    index.setdefault(f.name, []).append(qual)
            self._by_name = index
        return index.get(name, [])

    def driver_call_colour(self, func_expr, scope: Scope) -> str | None:
        """A raw driver call inside the backend layer (``self.connection.commit()``)."""
        if not isinstance(func_expr, cst.Attribute) or scope.cls is None:
            return None
        recv = dotted(func_expr.value)
        for entry, spec in self.driver_calls.items():
            if recv in spec["receivers"] and func_expr.attr.value in spec["methods"]:
                family = set()
                for root in spec["classes"]:
                    for cls in self.family(root):
                        family.add(cls)
                        family |= self.all_subclasses(cls)
                if scope.cls in family:
                    self.used_entries.add(("driver_calls", entry))
                    return COROUTINE
        return None

    def call_colour(self, call: cst.Call, scope: Scope) -> str | None:
        """The colour of what a call returns: coroutine (await it), aiter, or None."""
        driver = self.driver_call_colour(call.func, scope)
        if driver:
            return driver
        if self.constructs_awaited(call, scope):
            return COROUTINE
        colours = {self.colour.get(t) for t in self.resolve_call(call.func, scope)} - {None}
        if not colours:
            return None
        if len(colours) > 1:
            # Targets disagree (one is a generator): awaiting is the safe reading for I/O.
            return COROUTINE if COROUTINE in colours else AITER
        return colours.pop()

    def constructs_awaited(self, call: cst.Call, scope: Scope) -> str | None:
        """The class of ``awaited_constructions`` that the call builds, if any."""
        cls = self.class_of_call(call, scope)
        if cls is None and isinstance(call.func, cst.Name):
            # Imports inside functions are not indexed (the commands import the executor
            # lazily): an unresolved bare name that is one of these classes' names is taken
            # to be that class.
            cls = self._awaited_by_name.get(call.func.value)
            if cls and self.resolve_symbol(scope.module, call.func.value) is not None:
                cls = None
        if cls in self.awaited_constructions:
            self.used_entries.add(("awaited_constructions", cls))
            return cls
        return None

    def class_of_call(self, call: cst.Call, scope: Scope) -> str | None:
        name = dotted(call.func)
        if not name:
            return None
        qual = self.resolve_symbol(scope.module, name)
        return qual if qual in self.classes else None

    def is_async_cm_class(self, cls: str) -> bool:
        return any(self.colour.get(q) for q in self.lookup(cls, "__enter__") + self.lookup(cls, "__exit__"))

    def is_async_iter_class(self, cls: str) -> bool:
        return any(self.colour.get(q) for q in self.lookup(cls, "__iter__"))

    # ------------------------------------------------------------------ colouring
    def colour_of_func(self, func: Func) -> str:
        if func.is_generator and not func.is_contextmanager:
            return AITER
        if self._only_returns_aiter(func):
            self.sync_aiter.add(func.qualname)
            return AITER
        return COROUTINE

    def is_async_def(self, qual: str | None) -> bool:
        """Coloured and rewritten to ``async def`` (a function that only returns an async
        iterator stays a plain ``def``: ``__aiter__`` must not be a coroutine)."""
        return bool(qual and self.colour.get(qual) and qual not in self.sync_aiter)

    def _only_returns_aiter(self, func: Func) -> bool:
        """No I/O of its own: every coloured call it makes is an async iterator it returns."""
        returns = False
        for call, scope in func.calls:
            if scope.func != func.qualname:
                continue
            colour = self.driver_call_colour(call.func, scope) or self.call_colour(call, scope)
            if colour == COROUTINE or (colour == AITER and id(call) not in func.returned):
                return False
            returns |= colour == AITER
            cls = self.class_of_call(call, scope)
            if cls and self.is_async_cm_class(cls) and self._is_with_item(func, call):
                return False
        if any(self.iter_colour(e, s) for e, s in func.iterates if s.func == func.qualname):
            return False
        return returns

    def _mark(self, qual: str, reason: str) -> bool:
        if qual in self.colour or qual in self.keep_sync_quals or qual in self.fixed:
            return False
        func = self.funcs[qual]
        if func.is_property:
            problem = f"{qual}: property would do I/O ({reason})"
            if problem not in self.problems:
                self.problems.append(problem)
            return False
        self.colour[qual] = self.colour_of_func(func)
        self.reasons[qual] = reason
        return True

    def compute(self) -> None:
        self.problems: list[str] = []
        self.keep_sync_quals = set()
        self.sync_aiter: set[str] = set()
        for name in self.keep_sync:
            matches = [q for q in self.funcs if q == name or q.startswith(name + "#")]
            if not matches:
                raise KeyError(f"keep_sync entry {name!r} names no function of the snapshot")
            self.keep_sync_quals.update(matches)
        for qual, colour in self.fixed.items():
            if colour:
                self.colour[qual] = colour
                self.reasons[qual] = "override"
        for seed in self.tables.get("seeds", []):
            matches = [q for q in self.funcs if q == seed]
            if not matches:
                raise KeyError(f"seed {seed!r} names no function of the snapshot")
            for q in matches:
                self._mark(q, "seed")
        changed = True
        while changed:
            changed = False
            for qual, func in self.funcs.items():
                if qual in self.colour or qual in self.fixed or qual in self.keep_sync_quals:
                    continue
                reason = self._io_reason(func)
                if reason and self._mark(qual, reason):
                    changed = True
            changed |= self._spread_over_hierarchy()
            # A function judged to only return an async iterator may since have gained a
            # coroutine call: it becomes a coroutine after all.
            for qual in sorted(self.sync_aiter):
                if not self._only_returns_aiter(self.funcs[qual]):
                    self.sync_aiter.discard(qual)
                    self.colour[qual] = COROUTINE
                    changed = True
        self._find_sync_callers()

    def _io_reason(self, func: Func) -> str | None:
        for call, scope in func.calls:
            if scope.func != func.qualname:
                continue
            if self.driver_call_colour(call.func, scope):
                return f"driver call {dotted(call.func)}"
            if self.constructs_awaited(call, scope):
                return f"builds {dotted(call.func)}"
            signal = self.sent_signal(call, func.module)
            if signal:
                return f"sends {signal}"
            for target in sorted(self.resolve_call(call.func, scope)):  # sorted: the same reason every run
                if target in self.colour:
                    return f"calls {target}"
            cls = self.class_of_call(call, scope)
            if cls and self.is_async_cm_class(cls) and self._is_with_item(func, call):
                return f"enters {cls}"
        for expr, scope in func.iterates:
            if scope.func != func.qualname:
                continue
            if self.iter_colour(expr, scope):
                return f"iterates {dotted(expr) or dotted(getattr(expr, 'func', None))}"
        for call, scope in func.calls:
            if scope.func != func.qualname:
                continue
            if dotted(call.func) in CONSUMERS and call.args and self.iter_colour(call.args[0].value, scope):
                return f"{dotted(call.func)}() over an async iterable"
        return None

    def sent_signal(self, call, module: str) -> str | None:
        """The async signal that ``call`` sends (``post_migrate.send(...)``), if any."""
        func = call.func
        if not (self.async_signals and isinstance(func, cst.Attribute) and func.attr.value == "send"):
            return None
        name = dotted(func.value)
        qual = self.resolve_symbol(module, name) if name else None
        return qual if qual in self.async_signals else None

    def iter_colour(self, expr, scope: Scope) -> str | None:
        """AITER when iterating ``expr`` needs ``async for``."""
        if isinstance(expr, cst.Call) and self.call_colour(expr, scope) == AITER:
            return AITER
        if isinstance(expr, cst.Subscript):  # a slice of a queryset is a queryset
            return self.iter_colour(expr.value, scope)
        if isinstance(expr, cst.IfExp):
            return self.iter_colour(expr.body, scope)
        for cls in self.receiver_classes(expr, scope) or ():
            # An override may define __aiter__ beside a sync __iter__ that refuses to run.
            if any(self.colour.get(q) for q in self.dispatch(cls, "__iter__") | self.dispatch(cls, "__aiter__")):
                return AITER
        return None

    def _is_with_item(self, func: Func, call) -> bool:
        return any(item is call for item, _ in func.withs)

    def _spread_over_hierarchy(self) -> bool:
        """An override of a coloured method must have the same colour (callers dispatch)."""
        changed = False
        for qual in list(self.colour):
            func = self.funcs.get(qual)
            if func is None or func.cls is None or func.name.startswith("__"):
                continue
            related = set(self.lookup(func.cls, func.name))
            for sub in self.all_subclasses(func.cls):
                # What the subclass runs may come from a mixin outside the hierarchy.
                related.update(self.lookup(sub, func.name))
            for base in self.classes[func.cls].bases:
                related.update(self.lookup(base, func.name))
            if func.name in self.protocol_methods:
                related.update(self.by_name(func.name))
            for other in sorted(related):  # sorted: the same marking order, hence reasons, every run
                if other not in self.colour and self._mark(other, f"same method as {qual}"):
                    changed = True
        return changed

    def _find_sync_callers(self) -> None:
        """Call sites of coloured functions in code that stays sync: the rewrite cannot fix them."""
        for qual, func in self.funcs.items():
            if qual in self.colour or qual in self.fixed:
                continue
            for call, scope in func.calls:
                if scope.func != qual:
                    continue
                colour = self.call_colour(call, scope)
                if colour:
                    self.problems.append(f"{qual}: sync code calls {dotted(call.func)} ({colour})")
