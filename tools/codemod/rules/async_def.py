"""Make every coloured function ``async def``; ``@contextmanager`` becomes ``@asynccontextmanager``."""

from __future__ import annotations

import libcst as cst

from ._base import ScopedRule


class AsyncDef(ScopedRule):
    NAME = "async_def"
    DESCRIPTION = "coloured functions become async def (coroutines and async generators)"

    def start(self, module, is_package):
        super().start(module, is_package)
        self.needs_import = False

    def transform(self, module, tree, is_package):
        tree = super().transform(module, tree, is_package)
        if self.needs_import:
            tree = _add_import(tree, "contextlib", "asynccontextmanager")
        return tree

    def leave_FunctionDef(self, original_node, updated_node):
        qual = self.current_func()
        super().leave_FunctionDef(original_node, updated_node)
        if not self.graph.is_async_def(qual) or qual in self.graph.fixed:
            return updated_node
        if updated_node.asynchronous is not None:
            return updated_node
        self.ctx.counts["functions made async"] += 1
        decorators = []
        for dec in updated_node.decorators:
            expr = dec.decorator
            if isinstance(expr, cst.Name) and expr.value == "contextmanager":
                dec = dec.with_changes(decorator=cst.Name("asynccontextmanager"))
                self.needs_import = True
                self.ctx.counts["@contextmanager made async"] += 1
            decorators.append(dec)
        return updated_node.with_changes(asynchronous=cst.Asynchronous(), decorators=decorators)


def _add_import(tree: cst.Module, module: str, name: str) -> cst.Module:
    from libcst.codemod import CodemodContext
    from libcst.codemod.visitors import AddImportsVisitor

    context = CodemodContext()
    AddImportsVisitor.add_needed_import(context, module, name)
    return AddImportsVisitor(context).transform_module(tree)
