"""Which functions become ``async def``: test methods and the test hooks (setUp, tearDown,
setUpTestData, setUpClass, tearDownClass), model/manager/queryset methods that override a
teapot coroutine (``save``, ``delete``, ``get``...), and any function that calls a coroutine
or one of those functions, transitively. Dunders, properties and the hooks teapot calls
synchronously stay sync. ``decide()`` computes the set; ``apply()`` adds the keyword."""

from __future__ import annotations

import re

import libcst as cst

from tools.libcst_toolkit import ScopedTransformer, ScopedVisitor

from . import threads_as_tasks
from .serializer_calls import is_serialize_call
from ._base import ASYNC_CONTEXTS, CALLABLE_FORMS, TEST_HOOKS, Context, call_name, is_coroutine_name, is_self_receiver, looks_like_queryset, teapot_function_imports

# Functions teapot calls synchronously: they stay sync whatever they contain.
KEEP_SYNC = {
    "get_queryset", "as_sql", "db_type", "from_db_value", "to_python", "get_prep_value",
    "get_db_prep_value", "get_db_prep_save", "deconstruct", "contribute_to_class",
    "db_for_read", "db_for_write", "allow_relation", "allow_migrate", "get_lookup",
    "get_transform", "resolve_expression", "formfield", "value_to_string", "pre_save",
    "get_absolute_url", "natural_key", "check", "clean", "get_extra_restriction",
}
SYNC_DECORATORS = {"property", "cached_property", "contextmanager", "classproperty"}
# Calls that await a callable they are given (or its result): a function passed to them may be
# async. A function passed anywhere else stays sync unless it calls a coroutine.
# (``disconnect`` takes back a receiver given to ``connect``: it never calls it.)
AWAITING_CONSUMERS = set(CALLABLE_FORMS) | {"on_commit", "connect", "disconnect", "addCleanup", "addClassCleanup", "assertQuerySetEqual"}
# Classes whose methods of a coroutine's name override it (teapot awaits them): models,
# managers and querysets, migration operations (database_forwards), migrations (apply),
# commands (handle), and the backends' parts (a DatabaseWrapper's _configure_role()).
ORM_BASE = re.compile(r"(Model|Manager|QuerySet|Operation|Command|Migration|DatabaseWrapper|DatabaseCreation|DatabaseOperations|SchemaEditor)$")


class _Functions(ScopedVisitor):
    def __init__(self):
        super().__init__()
        self.functions: dict[str, dict] = {}
        self.orm_classes: set[str] = set()
        self.test_classes: set[str] = set()
        self.value_refs: set[str] = set()  # names used other than by calling them
        self.attr_value_refs: set[str] = set()  # ... as an attribute (self.helper, T.helper)
        self.call_funcs: set[int] = set()
        self.module_calls: set[str] = set()  # functions called where the module runs
        self.atomic_callables: set[str] = set()  # classes whose instances atomic() wraps

    def visit_Call(self, node):
        if not self.frames and isinstance(node.func, cst.Name):
            self.module_calls.add(node.func.value)
        self.call_funcs.add(id(node.func))
        awaiting = call_name(node) in AWAITING_CONSUMERS
        if call_name(node) == "atomic":
            for arg in node.args:
                if isinstance(arg.value, cst.Call) and isinstance(arg.value.func, cst.Name):
                    self.atomic_callables.add(arg.value.func.value)  # atomic(Callable())
        for arg in node.args:
            if arg.keyword is not None:
                self.call_funcs.add(id(arg.keyword))  # f(name=...) names no function
            if awaiting and isinstance(arg.value, (cst.Name, cst.Attribute)):
                self.call_funcs.add(id(arg.value))  # on_commit(self.helper): awaited
                if isinstance(arg.value, cst.Attribute):
                    self.call_funcs.add(id(arg.value.attr))

    def _elements(self, node):
        # [a, b] / (f, kinds): functions listed as data, called later through a loop
        # variable (await_calls awaits those calls with aw()).
        for element in node.elements:
            if isinstance(element.value, cst.Name):
                self.call_funcs.add(id(element.value))

    def visit_List(self, node):
        self._elements(node)

    def visit_Tuple(self, node):
        self._elements(node)

    def visit_Param(self, node):
        self.call_funcs.add(id(node.name))

    def visit_Name(self, node):
        if id(node) not in self.call_funcs:
            self.value_refs.add(node.value)

    def visit_Attribute(self, node):
        if id(node) not in self.call_funcs:
            self.attr_value_refs.add(node.attr.value)
        self.call_funcs.add(id(node.attr))

    def visit_ClassDef(self, node):
        self.call_funcs.add(id(node.name))
        bases = [cst.helpers.get_full_name_for_node(a.value) or "" for a in node.bases]
        if any(ORM_BASE.search(b) or b.split(".")[-1] in self.orm_classes for b in bases):
            self.orm_classes.add(node.name.value)
        elif any(re.search(r"(TestCase|Tests?|Mixin)$", b) or b.split(".")[-1] in self.test_classes for b in bases) or any(
            isinstance(s, cst.FunctionDef) and s.name.value.startswith("test") for s in node.body.body
        ):
            self.test_classes.add(node.name.value)
        super().visit_ClassDef(node)

    def visit_FunctionDef(self, node):
        self.call_funcs.add(id(node.name))  # its own name in ``def name`` is no use of it
        qual = self.qualname(node.name.value)
        parent = self.frames[-1] if self.frames else None
        decorators = {
            (cst.helpers.get_full_name_for_node(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator) or "").split(".")[-1]
            for d in node.decorators
        }
        self.functions[qual] = {
            "nested": bool(parent and parent.kind == "def"),
            "node": node,
            "name": node.name.value,
            "class": parent.qualname.rsplit(".", 1)[-1] if parent and parent.kind == "class" else None,
            "async": node.asynchronous is not None,
            "decorators": decorators,
        }
        super().visit_FunctionDef(node)


class _OwnBody(cst.CSTVisitor):
    """Visits a function's own body: nested functions and lambdas are not entered."""

    def __init__(self):
        super().__init__()
        self.depth = 0

    def visit_FunctionDef(self, node):
        self.depth += 1
        return self.depth == 1

    def leave_FunctionDef(self, node):
        self.depth -= 1

    def visit_Lambda(self, node):
        return False


class _Triggers(_OwnBody):
    """Does a function's own body need ``await``?"""

    def __init__(self, ctx: Context, async_methods: set, async_functions: set):
        super().__init__()
        self.ctx = ctx
        self.async_methods = async_methods
        self.async_functions = async_functions
        self.found = False

    def visit_Call(self, node):
        name = call_name(node)
        func = node.func
        if isinstance(func, cst.Attribute):
            receiver = func.value
            if is_coroutine_name(self.ctx, name):
                if is_self_receiver(receiver):
                    if isinstance(receiver, cst.Call) or name in self.async_methods:
                        self.found = True
                elif name not in self.ctx.ambiguous or looks_like_queryset(receiver):
                    self.found = True
                elif _connection_like(receiver):
                    self.found = True  # connection.close(), self.cursor.close(), transaction.commit()
            if name == "cursor" and not is_self_receiver(receiver):
                self.found = True  # connection.cursor() used bare: awaited (await_calls)
            if is_self_receiver(receiver) and name in self.async_methods:
                self.found = True
            if name == "assertQuerySetEqual" or is_serialize_call(node):
                self.found = True
            if name in CALLABLE_FORMS and len([a for a in node.args if a.keyword is None]) >= CALLABLE_FORMS[name]:
                self.found = True
            if name in ("list", "len") and node.args and looks_like_queryset(node.args[0].value):
                self.found = True
        elif isinstance(func, cst.Name):
            if name in self.async_functions or name in self.ctx.imported_coroutines or name in self.ctx.awaitable_classes:
                self.found = True
            if name in ("list", "len", "tuple", "set", "sorted") and node.args and looks_like_queryset(node.args[0].value):
                self.found = True

    def visit_For(self, node):
        if looks_like_queryset(node.iter):
            self.found = True

    def visit_WithItem(self, node):
        if isinstance(node.item, cst.Call) and call_name(node.item) in ASYNC_CONTEXTS:
            self.found = True


def _connection_like(receiver) -> bool:
    """A receiver named as a connection, a cursor or the transaction module (``connection``,
    ``self.new_connection``, ``self.cursor``): its methods of a generic name (close,
    rollback, set_autocommit) are teapot's coroutines."""
    if isinstance(receiver, cst.Attribute):
        name = receiver.attr.value
    elif isinstance(receiver, cst.Name):
        name = receiver.value
    else:
        return False
    return name in ("transaction", "cursor") or name.endswith("connection")


class _ParamCalls(_OwnBody):
    """The parameters a function's own body calls."""

    def __init__(self, params: set):
        super().__init__()
        self.params = params
        self.called: set = set()

    def visit_Call(self, node):
        if isinstance(node.func, cst.Name) and node.func.value in self.params:
            self.called.add(node.func.value)


def callable_params(func: cst.FunctionDef) -> set:
    """An assertion helper that takes a callable, as assertRaises does
    (``def assertFailsValidation(self, clean, ...): ... clean()``): the parameters it calls.
    The callable may be a coroutine function (``obj.full_clean``), so the helper becomes
    async and awaits what the call returns when it is awaitable."""
    params = {p.name.value for p in (*func.params.posonly_params, *func.params.params, *func.params.kwonly_params)}
    params.discard("self")
    params.discard("cls")
    finder = _ParamCalls(params)
    func.visit(finder)
    return finder.called


def _never_async(info) -> bool:
    name = info["name"]
    if info["async"]:
        return False
    if name.startswith("__") and name.endswith("__"):
        return True
    return name in KEEP_SYNC or bool(info["decorators"] & SYNC_DECORATORS)


def _takes_receiver(func: cst.FunctionDef) -> bool:
    """Can the function be a method (it takes self or cls)? A function of no arguments in a
    class body is a value used there (``choices=get_choices``), not an override."""
    params = func.params
    return bool(params.posonly_params or params.params or isinstance(params.star_arg, cst.Param))


def would_rewrite(func: cst.FunctionDef, ctx: Context) -> bool:
    """Would evaluate_querysets or load_relations change the function's own body (nested
    functions aside) were it async?"""
    from . import evaluate_querysets, load_relations

    probe = cst.Module(body=[func.with_changes(decorators=[])])
    trial = Context(
        coroutines=ctx.coroutines,
        coroutine_prefixes=ctx.coroutine_prefixes,
        coroutine_patterns=ctx.coroutine_patterns,
        ambiguous=ctx.ambiguous,
        model_attrs=ctx.model_attrs,
        async_funcs={func.name.value},
    )
    changed = probe
    for rule in (evaluate_querysets, load_relations):
        changed = rule.apply(changed, trial)
    return not changed.deep_equals(probe)


def decide(tree: cst.Module, ctx: Context) -> None:
    # Coroutine functions imported from teapot, and the shims' ones an earlier rule put in
    # (threads_as_tasks: thread_join, task_sleep...).
    ctx.imported_coroutines = teapot_function_imports(tree, ctx.coroutines) | (ctx.helpers & threads_as_tasks.COROUTINES)
    finder = _Functions()
    tree.visit(finder)
    functions = finder.functions
    chosen = set()
    for qual, info in functions.items():
        if info["async"]:
            chosen.add(qual)
        elif info["name"] == "__call__" and info["class"] in finder.atomic_callables:
            # atomic() wraps async callables only: a callable instance it is given is called
            # and awaited by the wrapper, so its __call__ is a coroutine function.
            chosen.add(qual)
        elif _never_async(info):
            continue
        elif info["class"] and ctx.is_test_module and (info["name"].startswith("test") or info["name"] in TEST_HOOKS):
            chosen.add(qual)
        elif info["class"] in finder.orm_classes and info["name"] in ctx.coroutines and _takes_receiver(info["node"]):
            chosen.add(qual)
        elif info["class"] and info["name"] in ctx.imported_methods and _takes_receiver(info["node"]):
            chosen.add(qual)  # overrides a base class's helper made async in the module it comes from
        elif (
            ctx.is_test_module
            and info["name"] not in (finder.value_refs | finder.attr_value_refs if info["class"] else finder.value_refs)
            and not (info["class"] is None and info["name"] in finder.module_calls | ctx.import_time_calls)
            and (info["class"] in finder.test_classes or info["nested"] or info["class"] is None)
            and would_rewrite(info["node"], ctx)
        ):
            # Helpers of test classes, functions nested in tests and module functions, only
            # ever called (or given to a caller that awaits them), that iterate, index, take
            # len() of, compare or load what may be a queryset or a lazy relation. A module
            # function the module itself calls while it is imported (``register_tests(...)``,
            # which adds tests to a class) stays sync: nothing would await it there.
            chosen.add(qual)
    for qual, info in functions.items():
        if info["class"] and info["name"].startswith("assert") and not _never_async(info):
            called = callable_params(info["node"])
            if called:
                chosen.add(qual)
                ctx.callable_params[qual] = called
    while True:
        methods = {functions[q]["name"] for q in chosen if functions[q]["class"]} | set(ctx.imported_methods) | set(ctx.foreign_async_methods)
        plain = {functions[q]["name"] for q in chosen if not functions[q]["class"]} | set(ctx.imported_async)
        added = False
        for qual, info in functions.items():
            if qual in chosen or _never_async(info):
                continue
            triggers = _Triggers(ctx, methods, plain)
            info["node"].visit(triggers)
            if triggers.found:
                chosen.add(qual)
                added = True
        if not added:
            break
    ctx.async_funcs = chosen
    ctx.async_names = {functions[q]["name"] for q in chosen}
    # Methods made async elsewhere in the app that this module calls on self without defining
    # them (a mixin's call of a helper each subclass provides) are awaited through aw().
    ctx.async_methods = {functions[q]["name"] for q in chosen if functions[q]["class"]} | set(ctx.imported_methods) | set(ctx.foreign_async_methods)
    ctx.async_plain = {functions[q]["name"] for q in chosen if not functions[q]["class"]} | set(ctx.imported_async)


class _AddAsync(ScopedTransformer):
    def __init__(self, ctx):
        super().__init__()
        self.ctx = ctx

    def leave_FunctionDef(self, original_node, updated_node):
        qual = self.innermost_function()
        super().leave_FunctionDef(original_node, updated_node)
        if qual in self.ctx.async_funcs and updated_node.asynchronous is None:
            return updated_node.with_changes(asynchronous=cst.Asynchronous())
        return updated_node


def apply(tree: cst.Module, ctx: Context) -> cst.Module:
    return tree.visit(_AddAsync(ctx))
