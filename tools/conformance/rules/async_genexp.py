"""A generator expression that now awaits in its element, condition or inner loops would be
an async generator: in an ``async def`` it becomes a list comprehension (its consumers,
``all()``, ``any()``, ``sum()``, ``tuple()``..., take a list as well)."""

from __future__ import annotations

import libcst as cst

from ._base import Context, ScopedTransformer


class _HasAwait(cst.CSTVisitor):
    def __init__(self):
        super().__init__()
        self.found = False

    def visit_Await(self, node):
        self.found = True

    def visit_Lambda(self, node):
        return False

    def visit_FunctionDef(self, node):
        return False


def _awaits(node) -> bool:
    visitor = _HasAwait()
    node.visit(visitor)
    return visitor.found


class _Genexp(ScopedTransformer):
    def leave_GeneratorExp(self, original_node, updated_node):
        if not self.in_async():
            return updated_node
        for_in = updated_node.for_in
        parts = [updated_node.elt]
        parts += list(for_in.ifs)
        inner = for_in.inner_for_in
        if inner is not None:
            parts.append(inner)
        if not any(_awaits(p) for p in parts):
            return updated_node
        return cst.ListComp(elt=updated_node.elt, for_in=for_in)


def apply(tree: cst.Module, ctx: Context) -> cst.Module:
    return tree.visit(_Genexp(ctx))
