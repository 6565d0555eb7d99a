"""``x.errors`` in an async function becomes ``await form_errors(x)``. Django's ``errors``
property of a bound form or formset validates it on first read, which may query (unique
checks, model choices); teapot's raises ``AwaitRequired`` until ``await form.full_clean()``
ran. The helper awaits that validation where it is due and reads the attribute; anything
else (an exception's ``errors``, a form already validated) is read as it is."""

from __future__ import annotations

import libcst as cst

from ._base import Context, ScopedTransformer, helper_call


class _FormErrors(ScopedTransformer):
    def leave_Attribute(self, original_node, updated_node):
        if updated_node.attr.value != "errors" or not self.in_async() or self.is_target(original_node):
            return updated_node
        return helper_call("form_errors", [updated_node.value], self.ctx)


def apply(tree: cst.Module, ctx: Context) -> cst.Module:
    return tree.visit(_FormErrors(ctx))
