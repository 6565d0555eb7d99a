"""A thread a test starts to get a second database connection becomes a task: teapot leases a
connection per task, as Django keeps one per thread. ``threading.Thread``, ``Event`` and
``Timer`` become the shims' ``TaskThread``, ``TaskEvent`` and ``TaskTimer``; what blocks a
thread becomes a coroutine the test awaits, so the other task runs meanwhile: ``t.join()``
of a name bound to a thread becomes ``thread_join(t)``, ``e.wait()`` of a name bound to an
event (or, in a module that makes events, of any plain name: an event a helper is given)
``event_wait(e)``, and ``time.sleep(n)`` ``task_sleep(n)``: the function that sleeps becomes
a coroutine function (a callable field default too: teapot awaits the coroutine it leaves on
the instance when the row is saved)."""

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


class _Bound(cst.CSTVisitor):
    """The names bound to a thread, an event or a timer (their code -> the shim class)."""

    def __init__(self, is_class):
        super().__init__()
        self.is_class = is_class
        self.bound: dict[str, str] = {}

    def visit_Assign(self, node):
        if isinstance(node.value, cst.Call) and self.is_class(node.value) is not None:
            for target in node.targets:
                self.bound[_code(target.target)] = CLASSES[self.is_class(node.value)]


class _Tasks(cst.CSTTransformer):
    def __init__(self, ctx: Context, local: dict, threading: bool, time: bool):
        super().__init__()
        self.ctx = ctx
        self.local = local
        self.threading = threading
        self.time = time
        self.bound: dict[str, str] = {}

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
        bound = _Bound(self.is_class)
        node.visit(bound)
        self.bound = bound.bound

    def leave_Call(self, original_node, updated_node):
        kind = self.is_class(original_node)
        if kind is not None:
            return self._helper(updated_node.with_changes(func=cst.Name(CLASSES[kind])), CLASSES[kind])
        func = updated_node.func
        if not isinstance(func, cst.Attribute):
            return updated_node
        receiver = _code(func.value)
        if self.time and receiver == "time" and func.attr.value == "sleep":
            return self._helper(updated_node.with_changes(func=cst.Name("task_sleep")), "task_sleep")
        shim = self.bound.get(receiver)
        if shim is None and "TaskEvent" in self.bound.values() and isinstance(func.value, cst.Name) and func.attr.value == "wait":
            # An event handed to a helper (``def wait_or_fail(event, message): event.wait(5)``):
            # event_wait() calls the wait() of anything that is not a TaskEvent.
            shim = "TaskEvent"
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
