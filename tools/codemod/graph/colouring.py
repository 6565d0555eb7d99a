"""The colouring fixpoint: seeds and overrides' colours, spread to callers and over the class
hierarchy until nothing changes, with the first reason found for each function.

A mixin of ``CallGraph``: it reads the index and tables ``CallGraph.__init__`` sets up."""

from __future__ import annotations

from .index import AITER, CONSUMERS, COROUTINE, Func, dotted


class ColouringMixin:
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
