"""``mock.patch("teapot....X.coroutine_method")`` with no replacement given patches with
``coroutine_mock`` (tools/conformance/shims.py): Python picks an ``AsyncMock`` for a coroutine
function, and an ``AsyncMock``'s awaited result is another ``AsyncMock``, whose every method
returns a coroutine; in Django the patched function is sync and its ``MagicMock`` result
answers any call (``state.apps.bulk_update()`` used as a context manager). The target is
resolved by importing it, as the names of teapot's coroutines are found by introspection.

A ``side_effect=`` given for such a target is wrapped in ``coroutine_side_effect`` (the
shims): the mock Python makes for a coroutine function awaits a side effect that is a
coroutine function, but not the coroutine a sync one returns (Django's ``mocked_connect``
returns ``orig_connect(self)``, which is a coroutine in teapot)."""

from __future__ import annotations

import inspect
import pkgutil

import libcst as cst

from ._base import Context

# Arguments that already say what replaces the target.
_CHOSEN = {"new", "new_callable", "autospec", "spec", "spec_set"}


def _is_coroutine_target(path: str) -> bool:
    if not path.startswith("teapot."):
        return False
    try:
        target = pkgutil.resolve_name(path)
    except Exception:
        return False
    return inspect.iscoroutinefunction(target)


class _Patch(cst.CSTTransformer):
    def __init__(self, ctx: Context):
        super().__init__()
        self.ctx = ctx

    def leave_Call(self, original_node, updated_node):
        name = cst.helpers.get_full_name_for_node(updated_node.func) or ""
        if name not in ("mock.patch", "patch", "unittest.mock.patch"):
            return updated_node
        positional = [a for a in updated_node.args if a.keyword is None and not a.star]
        keywords = {a.keyword.value for a in updated_node.args if a.keyword is not None}
        if len(positional) != 1 or any(a.star for a in updated_node.args):
            return updated_node
        target = positional[0].value
        if not isinstance(target, cst.SimpleString) or not _is_coroutine_target(target.evaluated_value):
            return updated_node
        if "side_effect" in keywords:
            self.ctx.helpers.add("coroutine_side_effect")
            updated_node = updated_node.with_changes(args=[_wrap_side_effect(a) for a in updated_node.args])
        if keywords & _CHOSEN:
            return updated_node
        self.ctx.helpers.add("coroutine_mock")
        extra = cst.Arg(
            keyword=cst.Name("new_callable"),
            value=cst.Name("coroutine_mock"),
            equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")),
        )
        args = list(updated_node.args)
        if args and args[-1].comma is cst.MaybeSentinel.DEFAULT:
            args[-1] = args[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        return updated_node.with_changes(args=[*args, extra])


def _wrap_side_effect(arg: cst.Arg) -> cst.Arg:
    if arg.keyword is None or arg.keyword.value != "side_effect":
        return arg
    return arg.with_changes(value=cst.Call(func=cst.Name("coroutine_side_effect"), args=[cst.Arg(value=arg.value)]))


def apply(tree: cst.Module, ctx: Context) -> cst.Module:
    return tree.visit(_Patch(ctx))
