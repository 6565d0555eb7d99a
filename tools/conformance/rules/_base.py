"""What the test rules share: the per-module context and a transformer that knows whether the
code it is in runs in an ``async def`` (where ``await`` may be added)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import libcst as cst

from tools import libcst_toolkit
from tools.libcst_toolkit import dotted

# Context managers whose teapot versions are async (``async with``).
ASYNC_CONTEXTS = {
    "assertNumQueries",
    "atomic",
    "captureOnCommitCallbacks",
    "CaptureQueriesContext",
    "cursor",
    "schema_editor",
    "_AssertNumQueriesContext",
    "constraint_checks_disabled",
    "temporary_connection",
    "_nodb_cursor",
}

# Test-case assertions that take a callable (assertRaises(Exc, func, ...)): with the callable,
# teapot's versions return an awaitable. Value: the positional count of the callable form.
CALLABLE_FORMS = {
    "assertRaises": 2,
    "assertRaisesRegex": 3,
    "assertWarns": 2,
    "assertWarnsRegex": 3,
    "assertRaisesMessage": 3,
    "assertWarnsMessage": 3,
    "assertNumQueries": 2,
}

# Test-case methods that are coroutines in teapot.testing.
TESTCASE_COROUTINES = {"assertQuerySetEqual"}

# Methods whose Django versions the runner awaits when they are coroutines; in a test module
# they are always made async.
TEST_HOOKS = {"setUp", "tearDown", "setUpTestData", "setUpClass", "tearDownClass"}

# Calls that build a queryset: an expression made with them is a queryset.
QUERYSET_BUILDERS = {
    "all", "filter", "exclude", "order_by", "values", "values_list", "annotate", "alias",
    "select_related", "prefetch_related", "distinct", "only", "defer", "using", "reverse",
    "extra", "none", "union", "intersection", "difference", "select_for_update", "dates",
    "datetimes", "raw", "complex_filter", "get_queryset",
}


@dataclass
class Context:
    """What one module's transformation knows."""

    coroutines: frozenset = frozenset()  # teapot coroutine method names
    coroutine_prefixes: tuple = ()  # ... and the prefixes of those a model gains per field (get_next_by_)
    coroutine_patterns: tuple = ()  # ... and the name patterns of those it gains per ordered model (set_answer_order)
    ambiguous: frozenset = frozenset()  # ... that other types have too
    functions: frozenset = frozenset()  # teapot.db's coroutine functions (called by bare name)
    model_attrs: frozenset = frozenset()  # field and relation names of the app's models
    upstream_path: str = ""
    version: str = ""
    is_test_module: bool = True
    async_funcs: set = field(default_factory=set)  # qualified names made (or already) async
    async_names: set = field(default_factory=set)  # their bare names
    async_methods: set = field(default_factory=set)  # ... of methods
    async_plain: set = field(default_factory=set)  # ... of functions outside classes
    imported_coroutines: set = field(default_factory=set)  # coroutine functions imported from teapot by name
    imported_async: frozenset = frozenset()  # names imported from the app's modules, bound to functions made async there
    imported_methods: frozenset = frozenset()  # methods made async in the app's modules this one imports (base classes' helpers)
    foreign_async_methods: frozenset = frozenset()  # methods made async in other modules of the app that this one calls on self without defining
    import_time_calls: frozenset = frozenset()  # function names the app's modules call at their top level (register_tests(...))
    awaitable_classes: frozenset = frozenset()  # teapot classes whose instances are awaited once built (MigrationLoader)
    model_formset_factories: frozenset = frozenset()  # functions making model formset classes, whose instances are awaited once built
    queryset_coroutines: frozenset = frozenset()  # coroutine methods of QuerySet and Manager (none returns a context manager)
    helpers: set = field(default_factory=set)  # tools.conformance.shims helpers used
    callable_params: dict = field(default_factory=dict)  # assertion helpers made async -> the parameters they call


def is_coroutine_name(ctx: Context, name: str) -> bool:
    """Is a method of this name a coroutine in teapot, by its name, its per-field prefix or
    its per-ordering pattern?"""
    return (
        name in ctx.coroutines
        or bool(ctx.coroutine_prefixes and name.startswith(ctx.coroutine_prefixes))
        or any(re.fullmatch(pattern, name) for pattern in ctx.coroutine_patterns)
    )


def call_name(call: cst.Call) -> str:
    func = call.func
    if isinstance(func, cst.Attribute):
        return func.attr.value
    if isinstance(func, cst.Name):
        return func.value
    return ""


def is_self_receiver(node) -> bool:
    if isinstance(node, cst.Name) and node.value in ("self", "cls"):
        return True
    return isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "super"


def looks_like_queryset(node) -> bool:
    """An expression built from a manager or queryset methods (``X.objects...``, ``.filter()``,
    ``a.book_set``)."""
    while True:
        if isinstance(node, cst.Attribute):
            if node.attr.value == "objects" or node.attr.value.endswith("_set"):
                return True
            node = node.value
        elif isinstance(node, cst.Call):
            if isinstance(node.func, cst.Attribute) and node.func.attr.value in QUERYSET_BUILDERS:
                return True
            node = node.func
        elif isinstance(node, cst.Subscript):
            node = node.value
        else:
            return False


def teapot_function_imports(tree: cst.Module, names) -> set:
    """The local names bound by ``from teapot... import f`` for an ``f`` in ``names``."""
    found = set()
    for node in tree.body:
        if not isinstance(node, cst.SimpleStatementLine):
            continue
        for stmt in node.body:
            if not isinstance(stmt, cst.ImportFrom) or stmt.relative or isinstance(stmt.names, cst.ImportStar):
                continue
            module = (dotted(stmt.module) if stmt.module is not None else None) or ""
            if module != "teapot" and not module.startswith("teapot."):
                continue
            for alias in stmt.names:
                name = alias.name.value if isinstance(alias.name, cst.Name) else ""
                if name in names:
                    found.add(alias.asname.name.value if alias.asname else name)
    return found


def paren(node):
    return node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def await_(expr, helper=None, ctx=None):
    """``(await expr)``, or ``(await helper(expr))``."""
    if helper:
        if ctx is not None:
            ctx.helpers.add(helper)
        expr = cst.Call(func=cst.Name(helper), args=[cst.Arg(value=expr)])
    return paren(cst.Await(expression=expr))


def helper_call(helper, args, ctx):
    ctx.helpers.add(helper)
    return paren(cst.Await(expression=cst.Call(func=cst.Name(helper), args=[cst.Arg(value=a) for a in args])))


class ScopedTransformer(libcst_toolkit.ScopedTransformer):
    """Knows whether the code it is in runs in an ``async def`` (one of ``ctx.async_funcs``),
    and which nodes are assignment targets."""

    def __init__(self, ctx: Context):
        super().__init__()
        self.ctx = ctx
        self.target_depth = 0

    def in_async(self) -> bool:
        """Whether the node is in the own body of a function made (or already) async."""
        return self.innermost_function() in self.ctx.async_funcs

    # Assignment targets are never rewritten.
    def visit_AssignTarget(self, node):
        self.target_depth += 1

    def leave_AssignTarget(self, original_node, updated_node):
        self.target_depth -= 1
        return updated_node

    def visit_Del(self, node):
        self.target_depth += 1

    def leave_Del(self, original_node, updated_node):
        self.target_depth -= 1
        return updated_node

    def visit_AugAssign(self, node):
        node.target.visit(_TargetMarker(self))

    def visit_AnnAssign(self, node):
        node.target.visit(_TargetMarker(self))

    def visit_For(self, node):
        node.target.visit(_TargetMarker(self))

    def visit_CompFor(self, node):
        node.target.visit(_TargetMarker(self))

    def visit_AsName(self, node):
        node.name.visit(_TargetMarker(self))

    def is_target(self, node) -> bool:
        return self.target_depth > 0 or id(node) in getattr(self, "_targets", set())


class _TargetMarker(cst.CSTVisitor):
    def __init__(self, owner):
        super().__init__()
        self.owner = owner
        if not hasattr(owner, "_targets"):
            owner._targets = set()

    def on_visit(self, node):
        self.owner._targets.add(id(node))
        return True
