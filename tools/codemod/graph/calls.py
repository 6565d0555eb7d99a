"""Call resolution: the functions a call may run, and the colour a call, a construction, a
signal send or an iteration has under the current colouring.

A mixin of ``CallGraph``: it reads the index and tables ``CallGraph.__init__`` sets up."""

from __future__ import annotations

import libcst as cst

from .index import AITER, COROUTINE, Func, Scope, dotted


class CallsMixin:
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
