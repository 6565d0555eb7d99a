"""Where Django's tests use a queryset through a sync protocol that runs its query, the
transformed test evaluates it first with ``await ev(x)`` (a queryset becomes its evaluated
self; anything else passes through): ``for`` loops and comprehensions, ``list()``, ``len()``,
``tuple()``, ``set()``, ``sorted()``, ``bool()``..., ``list.extend()``, unpacking (``a, b = qs``), ``in`` / ``not in``, and the values
compared by the test-case assertions. ``x[i]`` becomes ``await ev_item(x, i)``, and so does a
slice of an expression built as a queryset, and any slice with a step (a raw query's slice
and a slice with a step run the query). ``self.assertNumQueries(n, list, qs)`` calls ``ecall(list, qs)`` instead, and ``next(it)`` is
``next(await enext(it))``, which steps an async iterator."""

from __future__ import annotations

import libcst as cst

from ._base import CALLABLE_FORMS, Context, ScopedTransformer, helper_call, looks_like_queryset

CONSUMERS = {"list", "tuple", "set", "frozenset", "len", "bool", "sorted", "sum", "min", "max", "any", "all", "dict", "iter", "next"}
PASS_THROUGH = {"enumerate", "zip", "reversed"}
FUNCTION_FIRST = {"map", "filter"}
ASSERTIONS = {
    "assertEqual": 2, "assertNotEqual": 2, "assertSequenceEqual": 2, "assertCountEqual": 2,
    "assertListEqual": 2, "assertIn": 2, "assertNotIn": 2, "assertTrue": 1, "assertFalse": 1,
    "assertIs": 2, "assertIsNot": 2, "assertGreater": 2, "assertLess": 2, "assertTupleEqual": 2,
    "assertSetEqual": 2, "assertGreaterEqual": 2, "assertLessEqual": 2, "assertIsNone": 1,
    "assertIsNotNone": 1,
}
LITERALS = (
    cst.List, cst.Tuple, cst.Set, cst.Dict, cst.SimpleString, cst.ConcatenatedString, cst.FormattedString,
    cst.Integer, cst.Float, cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp, cst.Await, cst.Lambda,
    cst.Comparison, cst.BooleanOperation, cst.UnaryOperation,
)
NEVER = {"range", "str", "repr", "int", "type", "isinstance", "getattr", "print", "dir", "vars", "id", "hash", "callable", "len"}


def _builtin_function_first(expr) -> bool:
    """``map(f, xs)`` / ``filter(f, xs)``: the builtins take two arguments or more (a local
    ``filter = Model.objects.filter`` called with one is a queryset)."""
    return (
        isinstance(expr, cst.Call)
        and isinstance(expr.func, cst.Name)
        and expr.func.value in FUNCTION_FIRST
        and len(expr.args) >= 2
    )


def _needs(expr) -> bool:
    if isinstance(expr, cst.Await) and isinstance(expr.expression, cst.Call) and getattr(expr.expression.func, "value", None) == "ev_item":
        return True  # a slice of a queryset may still be a queryset
    if isinstance(expr, LITERALS):
        return False
    if isinstance(expr, cst.Name) and expr.value in ("None", "True", "False", "self", "cls"):
        return False
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.func.value in NEVER | CONSUMERS | PASS_THROUGH:
        return False
    if _builtin_function_first(expr):
        return False
    return True


class _Evaluate(ScopedTransformer):
    def __init__(self, ctx):
        super().__init__(ctx)
        self.genexp_inner: set[int] = set()

    def ev(self, expr):
        if not _needs(expr):
            return expr
        return helper_call("ev", [expr], self.ctx)

    def iterable(self, expr):
        """An iterable: ``enumerate(qs)`` -> ``enumerate(await ev(qs))``, else ``await ev(expr)``."""
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name):
            if expr.func.value in PASS_THROUGH:
                return expr.with_changes(args=[self.arg(a) for a in expr.args])
            if _builtin_function_first(expr):
                return expr.with_changes(args=[expr.args[0]] + [self.arg(a) for a in expr.args[1:]])
        return self.ev(expr)

    def arg(self, arg):
        if arg.keyword is not None or arg.star:
            return arg
        return arg.with_changes(value=self.iterable(arg.value))

    def leave_Lambda(self, original_node, updated_node):
        # lambda: list(qs) -> lambda: ecall(list, qs), which the caller (assertNumQueries,
        # assertRaises) awaits.
        body = updated_node.body
        if (
            isinstance(body, cst.Call)
            and isinstance(body.func, cst.Name)
            and body.func.value in CONSUMERS
            and body.args
            and all(a.keyword is None and not a.star for a in body.args)
            and any(_needs(a.value) for a in body.args)
        ):
            self.ctx.helpers.add("ecall")
            body = cst.Call(func=cst.Name("ecall"), args=[cst.Arg(value=body.func)] + list(body.args))
            updated_node = updated_node.with_changes(body=body)
        return super().leave_Lambda(original_node, updated_node)

    def leave_Assign(self, original_node, updated_node):
        # a, b = qs: unpacking iterates the value.
        if not self.in_async() or not all(isinstance(t.target, (cst.Tuple, cst.List)) for t in updated_node.targets):
            return updated_node
        return updated_node.with_changes(value=self.iterable(updated_node.value))

    def leave_For(self, original_node, updated_node):
        if not self.in_async() or updated_node.asynchronous is not None:
            return updated_node
        return updated_node.with_changes(iter=self.iterable(updated_node.iter))

    def visit_GeneratorExp(self, node):
        # Only the outermost iterable of a generator expression may be awaited.
        inner = node.for_in.inner_for_in
        while inner is not None:
            self.genexp_inner.add(id(inner))
            inner = inner.inner_for_in

    def leave_CompFor(self, original_node, updated_node):
        if not self.in_async() or id(original_node) in self.genexp_inner or updated_node.asynchronous is not None:
            return updated_node
        return updated_node.with_changes(iter=self.iterable(updated_node.iter))

    def leave_Call(self, original_node, updated_node):
        if not self.in_async():
            return updated_node
        func = updated_node.func
        args = list(updated_node.args)
        if isinstance(func, cst.Name):
            name = func.value
            if name == "next" and args and all(a.keyword is None and not a.star for a in args):
                # next() of an async iterator (a deserializer, a row stream) takes its next
                # item; evaluating it into a list first would leave next() nothing to step.
                args[0] = args[0].with_changes(value=helper_call("enext", [args[0].value], self.ctx))
                return updated_node.with_changes(args=args)
            if name in CONSUMERS or name == "len":
                if args and args[0].keyword is None and not args[0].star:
                    args[0] = self.arg(args[0])
                return updated_node.with_changes(args=args)
            return updated_node
        if isinstance(func, cst.Attribute) and func.attr.value == "extend" and len(args) == 1 and args[0].keyword is None and not args[0].star:
            # objects.extend(qs) iterates the queryset.
            args[0] = self.arg(args[0])
            return updated_node.with_changes(args=args)
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == "self":
            position = CALLABLE_FORMS.get(func.attr.value, 0) - 1
            if (
                position >= 0
                and len(args) > position
                and all(a.keyword is None and not a.star for a in args[: position + 1])
                and isinstance(args[position].value, cst.Name)
                and args[position].value.value in CONSUMERS
            ):
                self.ctx.helpers.add("ecall")
                args.insert(position, cst.Arg(value=cst.Name("ecall")))
                return updated_node.with_changes(args=args)
            count = ASSERTIONS.get(func.attr.value)
            if count:
                for i in range(min(count, len(args))):
                    if args[i].keyword is None and not args[i].star:
                        args[i] = args[i].with_changes(value=self.ev(args[i].value))
                return updated_node.with_changes(args=args)
        return updated_node

    def leave_Comparison(self, original_node, updated_node):
        if not self.in_async():
            return updated_node
        targets = []
        changed = False
        for comp in updated_node.comparisons:
            if isinstance(comp.operator, (cst.In, cst.NotIn)) and _needs(comp.comparator):
                comp = comp.with_changes(comparator=self.ev(comp.comparator))
                changed = True
            targets.append(comp)
        return updated_node.with_changes(comparisons=targets) if changed else updated_node

    def leave_Subscript(self, original_node, updated_node):
        if not self.in_async() or self.is_target(original_node):
            return updated_node
        if len(updated_node.slice) != 1:
            return updated_node
        part = updated_node.slice[0].slice
        if isinstance(part, cst.Slice) and (
            looks_like_queryset(updated_node.value)
            or (part.step is not None and not isinstance(updated_node.value, LITERALS))
        ):
            bounds = [b if b is not None else cst.Name("None") for b in (part.lower, part.upper, part.step)]
            index = cst.Call(func=cst.Name("slice"), args=[cst.Arg(value=b) for b in bounds])
            return helper_call("ev_item", [updated_node.value, index], self.ctx)
        if not isinstance(part, cst.Index):
            return updated_node
        index = updated_node.slice[0].slice.value
        value = updated_node.value
        if isinstance(value, (cst.List, cst.Tuple, cst.Dict, cst.SimpleString, cst.ConcatenatedString)):
            return updated_node
        if isinstance(index, (cst.SimpleString, cst.ConcatenatedString)):
            return updated_node  # a key: dicts, rows as dicts, settings
        if isinstance(value, cst.Name) and value.value in ("kwargs", "os", "sys", "settings", "connections", "self"):
            return updated_node
        if isinstance(value, cst.Attribute) and value.attr.value in ("__dict__", "environ", "DATABASES", "modules", "captured_queries"):
            return updated_node
        return helper_call("ev_item", [value, index], self.ctx)


def apply(tree: cst.Module, ctx: Context) -> cst.Module:
    return tree.visit(_Evaluate(ctx))
