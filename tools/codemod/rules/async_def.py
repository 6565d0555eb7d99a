"""Make every coloured function ``async def``; ``@contextmanager`` becomes ``@asynccontextmanager``."""

from __future__ import annotations

import libcst as cst

from ._base import Rule, ScopedTransformer


class AsyncDef(Rule):
    NAME = "async_def"
    DESCRIPTION = "coloured functions become async def (coroutines and async generators)"

    def transform(self, module, tree, is_package):
        ctx = self.ctx
        needs_import = []

        class MakeAsync(ScopedTransformer):
            def leave_FunctionDef(self, original_node, updated_node):
                qual = self.current_func()
                super().leave_FunctionDef(original_node, updated_node)
                if not self.graph.is_async_def(qual) or qual in self.graph.fixed:
                    return updated_node
                if updated_node.asynchronous is not None:
                    return updated_node
                ctx.counts["functions made async"] += 1
                decorators = []
                for dec in updated_node.decorators:
                    expr = dec.decorator
                    if isinstance(expr, cst.Name) and expr.value == "contextmanager":
                        dec = dec.with_changes(decorator=cst.Name("asynccontextmanager"))
                        needs_import.append(True)
                        ctx.counts["@contextmanager made async"] += 1
                    decorators.append(dec)
                return updated_node.with_changes(
                    asynchronous=cst.Asynchronous(), decorators=decorators
                )

        tree = tree.visit(MakeAsync(ctx, module))
        if needs_import:
            tree = _add_import(tree, "contextlib", "asynccontextmanager")
        return tree


def _add_import(tree: cst.Module, module: str, name: str) -> cst.Module:
    from libcst.codemod import CodemodContext
    from libcst.codemod.visitors import AddImportsVisitor

    context = CodemodContext()
    AddImportsVisitor.add_needed_import(context, module, name)
    return AddImportsVisitor(context).transform_module(tree)
