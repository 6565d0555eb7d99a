"""Where a test reads a model attribute that Django would load lazily (a relation, a
reverse one-to-one, a deferred field), the transformed test loads it explicitly:
``obj.author`` -> ``await load(obj, "author")`` for the names the app's models declare as
fields or relations (and the lowercase model names: reverse one-to-one accessors, parent
links' children); so do ``getattr(obj, "author")`` and ``hasattr(obj, "author")`` ->
``await has(obj, "author")``, and any ``getattr(obj, name)`` whose name is computed at run
time. ``load()`` returns what is loaded without a query. A call of what such a computed
``getattr`` gave (``getattr(manager, method)(obj)``: ``add``, ``update``, ...) is awaited
through ``aw()``, as the method may be a coroutine one."""

from __future__ import annotations

import libcst as cst

from ._base import Context, ScopedTransformer, helper_call

SKIP_NAMES = {"id", "pk", "objects", "_meta", "DoesNotExist", "MultipleObjectsReturned"}
MODULES = {"models", "transaction", "connection", "connections", "settings", "timezone", "datetime", "self", "cls", "os", "sys", "mock", "math", "decimal", "uuid", "json", "re"}


def _stores(target) -> set[int]:
    """The nodes an assignment target writes: ``a.b.c = v`` writes ``a.b.c`` but reads ``a.b``."""
    if isinstance(target, (cst.Tuple, cst.List)):
        return set().union(*(_stores(e.value) for e in target.elements)) if target.elements else set()
    if isinstance(target, cst.StarredElement):
        return _stores(target.value)
    return {id(target)}


class _Load(ScopedTransformer):
    def __init__(self, ctx):
        super().__init__(ctx)
        self.skip: set[int] = set()
        self.stores: set[int] = set()

    def visit_AssignTarget(self, node):
        super().visit_AssignTarget(node)
        self.stores |= _stores(node.target)

    def visit_Del(self, node):
        super().visit_Del(node)
        self.stores |= _stores(node.target)

    def reads_in_target(self, node) -> bool:
        """Inside an assignment target, a node that is read (the object of the store)."""
        return self.target_depth > 0 and id(node) not in self.stores

    def visit_Call(self, node):
        self.skip.add(id(node.func))  # obj.method(...) is a method call

    def leave_Call(self, original_node, updated_node):
        func = updated_node.func
        if _loads_a_computed_name(func) and self.in_async():
            return helper_call("aw", [updated_node], self.ctx)
        if not (isinstance(func, cst.Name) and func.value in ("getattr", "hasattr") and self.in_async()):
            return updated_node
        args = updated_node.args
        if len(args) != 2 or any(a.keyword is not None or a.star for a in args):
            return updated_node
        helper = "load" if func.value == "getattr" else "has"
        if not isinstance(args[1].value, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
            # getattr(obj, name) with a name computed at run time: it may be a relation.
            return helper_call(helper, [args[0].value, args[1].value], self.ctx)
        if not isinstance(args[1].value, cst.SimpleString):
            return updated_node
        name = args[1].value.evaluated_value
        if not isinstance(name, str) or name not in self.ctx.model_attrs or name in SKIP_NAMES:
            return updated_node
        helper = "load" if func.value == "getattr" else "has"
        return helper_call(helper, [args[0].value, args[1].value], self.ctx)

    def leave_Attribute(self, original_node, updated_node):
        name = updated_node.attr.value
        if (
            name not in self.ctx.model_attrs
            or name in SKIP_NAMES
            or id(original_node) in self.skip
            or not self.in_async()
            or (self.is_target(original_node) and not self.reads_in_target(original_node))
        ):
            return updated_node
        value = updated_node.value
        if isinstance(value, cst.Name) and (value.value in MODULES or value.value[:1].isupper()):
            return updated_node
        return helper_call("load", [value, cst.SimpleString(repr(name))], self.ctx)


def _loads_a_computed_name(node) -> bool:
    """Whether ``node`` is ``await load(obj, name)`` with a name that is not a literal."""
    if not isinstance(node, cst.Await):
        return False
    call = node.expression
    return (
        isinstance(call, cst.Call)
        and isinstance(call.func, cst.Name)
        and call.func.value == "load"
        and len(call.args) == 2
        and not isinstance(call.args[1].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def apply(tree: cst.Module, ctx: Context) -> cst.Module:
    return tree.visit(_Load(ctx))
