"""A thread a test starts to get a second database connection becomes a task: teapot leases a
connection per task, as Django keeps one per thread. ``threading.Thread``, ``Event`` and
``Timer`` become the shims' ``TaskThread``, ``TaskEvent`` and ``TaskTimer``; what blocks a
thread becomes a coroutine the test awaits, so the other task runs meanwhile: ``t.join()``
of a name bound to a thread becomes ``thread_join(t)``, ``e.wait()`` of a name bound to an
event ``event_wait(e)``, and ``time.sleep(n)`` ``task_sleep(n)``. A function that sleeps
and is used as a value (a callable default, which teapot calls without awaiting) keeps its
``time.sleep``; the thread's target is awaited by the task, so it may sleep."""

from __future__ import annotations

import libcst as cst

from ._base import Context

CLASSES = {"Thread": "TaskThread", "Event": "TaskEvent", "Timer": "TaskTimer"}
# Per shim class: its blocking method and the coroutine function that waits for it.
BLOCKING = {"TaskThread": ("join", "thread_join"), "TaskEvent": ("wait", "event_wait")}
# The shims' coroutine functions this rule calls by their bare name (awaited by await_calls).
COROUTINES = frozenset({"thread_join", "event_wait", "task_sleep"})

_code = cst.Module(body=[]).code_for_node


def _imports(tree: cst.Module) -> tuple[dict[str, str], bool, bool]:
    """Names bound by ``from threading import ...`` (local name -> class), and whether the
    module imports ``threading`` and ``time``."""
    local: dict[str, str] = {}
    threading = time = False
    for stmt in tree.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for node in stmt.body:
            if isinstance(node, cst.Import):
                for alias in node.names:
                    name = _code(alias.name)
                    threading |= name == "threading" and alias.asname is None
                    time |= name == "time" and alias.asname is None
            elif isinstance(node, cst.ImportFrom) and node.module is not None and _code(node.module) == "threading":
                if isinstance(node.names, cst.ImportStar):
                    continue
                for alias in node.names:
                    name = _code(alias.name)
                    if name in CLASSES:
                        local[alias.asname.name.value if alias.asname else name] = name
    return local, threading, time


class _Facts(cst.CSTVisitor):
    """Names used other than by a call (``defaults={"b": birthday_sleep}``), a thread's
    ``target=`` and a timer's function aside, which the shims await."""

    def __init__(self, is_class):
        super().__init__()
        self.is_class = is_class
        self.value_refs: set[str] = set()
        self.skip: set[int] = set()

    def visit_Call(self, node):
        self.skip.add(id(node.func))
        if isinstance(node.func, cst.Attribute):
            self.skip.add(id(node.func.attr))
        if self.is_class(node) in ("Thread", "Timer"):
            for i, arg in enumerate(node.args):
                if arg.keyword is not None and arg.keyword.value in ("target", "function") or (arg.keyword is None and i == 1 and self.is_class(node) == "Timer"):
                    self.skip.add(id(arg.value))
                    if isinstance(arg.value, cst.Attribute):
                        self.skip.add(id(arg.value.attr))
        for arg in node.args:
            if arg.keyword is not None:
                self.skip.add(id(arg.keyword))

    def visit_FunctionDef(self, node):
        self.skip.add(id(node.name))

    def visit_ClassDef(self, node):
        self.skip.add(id(node.name))

    def visit_Param(self, node):
        self.skip.add(id(node.name))

    def visit_Attribute(self, node):
        if id(node.attr) not in self.skip:
            self.value_refs.add(node.attr.value)
        self.skip.add(id(node.attr))

    def visit_Name(self, node):
        if id(node) not in self.skip:
            self.value_refs.add(node.value)


class _Tasks(cst.CSTTransformer):
    def __init__(self, ctx: Context, local: dict, threading: bool, time: bool):
        super().__init__()
        self.ctx = ctx
        self.local = local
        self.threading = threading
        self.time = time
        self.bound: dict[str, str] = {}  # code of a name bound to a shim instance -> its class
        self.value_refs: set[str] = set()
        self.functions: list[str] = []

    def is_class(self, call: cst.Call) -> str | None:
        func = call.func
        if isinstance(func, cst.Name):
            return self.local.get(func.value)
        if (
            self.threading
            and isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Name)
            and func.value.value == "threading"
            and func.attr.value in CLASSES
        ):
            return func.attr.value
        return None

    def visit_Module(self, node):
        facts = _Facts(self.is_class)
        node.visit(facts)
        self.value_refs = facts.value_refs

    def visit_FunctionDef(self, node):
        self.functions.append(node.name.value)

    def leave_FunctionDef(self, original_node, updated_node):
        self.functions.pop()
        return updated_node

    def visit_Assign(self, node):
        if isinstance(node.value, cst.Call):
            kind = self.is_class(node.value)
            if kind is not None:
                for target in node.targets:
                    self.bound[_code(target.target)] = CLASSES[kind]

    def leave_Call(self, original_node, updated_node):
        kind = self.is_class(original_node)
        if kind is not None:
            return self._helper(updated_node.with_changes(func=cst.Name(CLASSES[kind])), CLASSES[kind])
        func = updated_node.func
        if not isinstance(func, cst.Attribute):
            return updated_node
        receiver = _code(func.value)
        if (
            self.time
            and receiver == "time"
            and func.attr.value == "sleep"
            and self.functions
            and self.functions[-1] not in self.value_refs
        ):
            return self._helper(updated_node.with_changes(func=cst.Name("task_sleep")), "task_sleep")
        shim = self.bound.get(receiver)
        if shim in BLOCKING and func.attr.value == BLOCKING[shim][0]:
            helper = BLOCKING[shim][1]
            return self._helper(
                updated_node.with_changes(func=cst.Name(helper), args=[cst.Arg(value=func.value), *updated_node.args]), helper
            )
        return updated_node

    def _helper(self, node, name):
        self.ctx.helpers.add(name)
        return node


def apply(tree: cst.Module, ctx: Context) -> cst.Module:
    local, threading, time = _imports(tree)
    if not (local or threading or time):
        return tree
    return tree.visit(_Tasks(ctx, local, threading, time))
