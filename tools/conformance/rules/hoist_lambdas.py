"""A lambda given to a caller that awaits what it calls (``assertNumQueries(n, f)``,
``assertRaises(E, f)``, ``on_commit(f)``, the transform of ``assertQuerySetEqual``...) whose body needs ``await`` (a coroutine call,
a queryset iterated or indexed, a lazy relation read) becomes a nested function defined just
before the statement: ``lambda: qs[0].chef`` -> ``def _lambda_1(): return qs[0].chef``, which
async_def then makes ``async def`` and the other rules rewrite. Runs before async_def decides.
Lambdas inside comprehensions or other lambdas, and outside functions, stay as they are.
``attrgetter("name")`` given as ``assertQuerySetEqual``'s transform is read as
``lambda obj: obj.name`` (``attrgetter("a.b")`` as ``obj.a.b``) and hoisted the same way when ``name`` may need loading (a deferred
field, a relation)."""

from __future__ import annotations

import libcst as cst

from ._base import CALLABLE_FORMS, Context, call_name

AWAITING = set(CALLABLE_FORMS) | {"on_commit"}
# ... and callers that await what the lambda returns, given by keyword too.
AWAITING_RESULT = {"assertQuerySetEqual"}


def _needs_await(body: cst.BaseExpression, params: cst.Parameters, ctx: Context) -> bool:
    from .async_def import _Triggers, would_rewrite

    func = cst.FunctionDef(
        name=cst.Name("_probe"),
        params=params,
        body=cst.IndentedBlock(body=[cst.SimpleStatementLine(body=[cst.Return(value=body)])]),
    )
    triggers = _Triggers(ctx, set(), set())
    func.visit(triggers)
    return triggers.found or would_rewrite(func, ctx)


class _Hoist(cst.CSTTransformer):
    def __init__(self, ctx: Context):
        super().__init__()
        self.ctx = ctx
        self.count = 0
        self.pending: list[list] = []  # per enclosing statement: the functions to put before it
        self.functions = 0
        self.blocked = 0  # inside a comprehension or a lambda
        self.candidates: set[int] = set()
        self.elif_nodes: set[int] = set()

    # statements
    def on_visit(self, node):
        if isinstance(node, cst.BaseStatement) and id(node) not in self.elif_nodes:
            self.pending.append([])
        if isinstance(node, cst.If) and isinstance(node.orelse, cst.If):
            self.elif_nodes.add(id(node.orelse))
        if isinstance(node, cst.FunctionDef):
            self.functions += 1
        if isinstance(node, (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)):
            self.blocked += 1
        if isinstance(node, cst.Lambda):
            self.blocked += 1
        if isinstance(node, cst.Call) and call_name(node) in AWAITING | AWAITING_RESULT:
            by_keyword = call_name(node) in AWAITING_RESULT
            for arg in node.args:
                if (arg.keyword is None or by_keyword) and not arg.star and isinstance(arg.value, cst.Lambda):
                    self.candidates.add(id(arg.value))
        return super().on_visit(node)

    def on_leave(self, original_node, updated_node):
        result = super().on_leave(original_node, updated_node)
        if isinstance(original_node, cst.Call) and isinstance(result, cst.Call) and call_name(original_node) in AWAITING_RESULT:
            result = result.with_changes(args=[self.getter(arg) for arg in result.args])
        if isinstance(original_node, (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)):
            self.blocked -= 1
        if isinstance(original_node, cst.FunctionDef):
            self.functions -= 1
        if isinstance(original_node, cst.Lambda):
            self.blocked -= 1
            result = self.hoist(original_node, result)
        if isinstance(original_node, cst.BaseStatement) and id(original_node) not in self.elif_nodes:
            defs = self.pending.pop()
            if defs:
                return cst.FlattenSentinel([*defs, result])
        return result

    def getter(self, arg):
        """``attrgetter("name")`` (or a dotted path) -> a hoisted ``def _lambda_N(obj): return obj.name`` when
        reading the attribute may need ``await``."""
        value = arg.value
        if (
            arg.star
            or not isinstance(value, cst.Call)
            or (cst.helpers.get_full_name_for_node(value.func) or "").split(".")[-1] != "attrgetter"
            or len(value.args) != 1
            or not isinstance(value.args[0].value, cst.SimpleString)
        ):
            return arg
        attr = value.args[0].value.evaluated_value
        if not isinstance(attr, str) or not all(part.isidentifier() for part in attr.split(".")):
            return arg
        body = cst.Name("obj")
        for part in attr.split("."):  # attrgetter("author.name"): obj.author.name
            body = cst.Attribute(value=body, attr=cst.Name(part))
        lam = cst.Lambda(params=cst.Parameters(params=[cst.Param(name=cst.Name("obj"))]), body=body)
        self.candidates.add(id(lam))
        hoisted = self.hoist(lam, lam)
        return arg if hoisted is lam else arg.with_changes(value=hoisted)

    def hoist(self, original, lam):
        if (
            id(original) not in self.candidates
            or self.blocked
            or not self.functions
            or not self.pending
            or not isinstance(lam, cst.Lambda)
            or not _needs_await(lam.body, lam.params, self.ctx)
        ):
            return lam
        self.count += 1
        name = f"_lambda_{self.count}"
        func = cst.FunctionDef(
            name=cst.Name(name),
            params=lam.params,
            body=cst.IndentedBlock(body=[cst.SimpleStatementLine(body=[cst.Return(value=lam.body)])]),
        )
        self.pending[-1].append(func)
        return cst.Name(name)


def apply(tree: cst.Module, ctx: Context) -> cst.Module:
    return tree.visit(_Hoist(ctx))
