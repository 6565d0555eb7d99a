"""What every rule shares: the run context, and scopes named as the call graph names them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import libcst as cst

from tools import libcst_toolkit

from ..callgraph import CallGraph, Scope


@dataclass
class Context:
    """The shared scratch of one generation run."""

    tables: dict
    graph: CallGraph | None = None
    counts: Counter = field(default_factory=Counter)
    warnings: list = field(default_factory=list)


class Rule:
    """A rule rewrites one module at a time; ``unused()`` lists its table entries that matched nothing."""

    NAME = ""
    DESCRIPTION = ""

    def __init__(self, ctx: Context):
        self.ctx = ctx

    def transform(self, module: str, tree: cst.Module, is_package: bool) -> cst.Module:
        raise NotImplementedError

    def unused(self) -> list[str]:
        return []


class ScopedRule(Rule, libcst_toolkit.ScopedTransformer):
    """A rule that is its own transformer: ``transform()`` visits the module with the rule,
    after ``start()`` has set it up for that module. Its scopes are named as the call graph
    names them: a function is known by the graph's qualified name, which tells two
    definitions of one name apart."""

    def __init__(self, ctx: Context):
        Rule.__init__(self, ctx)
        libcst_toolkit.ScopedTransformer.__init__(self)
        self.graph = ctx.graph
        self.module = ""
        self.is_package = False

    def start(self, module: str, is_package: bool) -> None:
        self.graph = self.ctx.graph
        self.module = module
        self.is_package = is_package
        self.start_scopes(module)

    def transform(self, module: str, tree: cst.Module, is_package: bool) -> cst.Module:
        self.start(module, is_package)
        return tree.visit(self)

    def function_key(self, node: cst.FunctionDef, qualname: str) -> str:
        if self.graph is None:
            return qualname
        actual = self.graph.func_nodes.get(id(node))
        if actual:
            return actual
        if qualname in self.graph.funcs:
            return qualname
        # Same name defined twice: find the entry for this node by identity.
        return next(
            (q for q, f in self.graph.funcs.items() if q.startswith(qualname + "#") and f.node is node),
            qualname,
        )

    def scope(self) -> Scope:
        cls, func = self.enclosing("class"), self.enclosing("def")
        return Scope(self.module, cls.qualname if cls else None, func.key if func else None)

    def current_func(self) -> str | None:
        func = self.enclosing("def")
        return func.key if func else None

    def in_async_func(self) -> bool:
        return self.graph.is_async_def(self.current_func()) and self.frames[-1].kind == "def"
