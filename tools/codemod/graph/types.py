"""Receiver typing: the classes an expression (``self``, ``self.query``, a local, a call's
return) may be an instance of, from the receiver-type table and the code's own returns.

A mixin of ``CallGraph``: it reads the index and tables ``CallGraph.__init__`` sets up."""

from __future__ import annotations

import libcst as cst

from .index import BUILTIN_NAMES, Scope, dotted


class TypesMixin:
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
