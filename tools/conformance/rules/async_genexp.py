"""A generator expression that now awaits in its element, condition or inner loops would be
an async generator: in an ``async def`` it becomes a list comprehension (its consumers,
``all()``, ``any()``, ``sum()``, ``tuple()``..., take a list as well). Given to ``next()``
(or to ``enext()``, which evaluate_querysets put there) the list is wrapped in ``iter()``:
next() steps an iterator, and a list is not one."""

from __future__ import annotations

import libcst as cst

from ._base import Context, ScopedTransformer

# Calls that step their argument as an iterator.
STEPPERS = {"next", "enext"}


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

    def leave_Call(self, original_node, updated_node):
        func = updated_node.func
        if not (isinstance(func, cst.Name) and func.value in STEPPERS and updated_node.args):
            return updated_node
        first = updated_node.args[0]
        was_genexp = isinstance(original_node.args[0].value, cst.GeneratorExp)
        if first.keyword is not None or not was_genexp or not isinstance(first.value, cst.ListComp):
            return updated_node
        stepped = cst.Call(func=cst.Name("iter"), args=[cst.Arg(value=first.value)])
        return updated_node.with_changes(args=[first.with_changes(value=stepped), *updated_node.args[1:]])


def apply(tree: cst.Module, ctx: Context) -> cst.Module:
    return tree.visit(_Genexp(ctx))
