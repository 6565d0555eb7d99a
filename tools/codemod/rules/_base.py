"""What every rule shares: the run context and scope tracking that matches the call graph."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import libcst as cst

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


class ScopedTransformer(cst.CSTTransformer):
    """Tracks the qualified name of the enclosing class and function like the call graph does."""

    def __init__(self, ctx: Context, module: str):
        super().__init__()
        self.ctx = ctx
        self.graph = ctx.graph
        self.module = module
        self.names: list[str] = [module]
        self.kinds: list[str] = []
        self.func_quals: list[str | None] = []

    def scope(self) -> Scope:
        cls = None
        func = None
        for i in range(len(self.kinds) - 1, -1, -1):
            if self.kinds[i] == "func" and func is None:
                func = self.func_quals[i]
            if self.kinds[i] == "class" and cls is None:
                cls = ".".join(self.names[: i + 2])
        return Scope(self.module, cls, func)

    def current_func(self) -> str | None:
        for i in range(len(self.kinds) - 1, -1, -1):
            if self.kinds[i] == "func":
                return self.func_quals[i]
        return None

    def in_async_func(self) -> bool:
        return self.graph.is_async_def(self.current_func()) and self.kinds[-1] == "func"

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.names.append(node.name.value)
        self.kinds.append("class")
        self.func_quals.append(None)

    def leave_ClassDef(self, original_node, updated_node):
        self._pop()
        return updated_node

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        qual = ".".join(self.names + [node.name.value])
        if self.graph is not None:
            actual = self.graph.func_nodes.get(id(node))
            if actual:
                qual = actual
            elif qual not in self.graph.funcs:
                # Same name defined twice: find the entry for this node by identity.
                qual = next(
                    (q for q, f in self.graph.funcs.items() if q.startswith(qual + "#") and f.node is node),
                    qual,
                )
        self.names.append(node.name.value)
        self.kinds.append("func")
        self.func_quals.append(qual)

    def leave_FunctionDef(self, original_node, updated_node):
        self._pop()
        return updated_node

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self.names.append("<lambda>")
        self.kinds.append("lambda")
        self.func_quals.append(None)

    def leave_Lambda(self, original_node, updated_node):
        self._pop()
        return updated_node

    def _pop(self) -> None:
        self.names.pop()
        self.kinds.pop()
        self.func_quals.pop()
