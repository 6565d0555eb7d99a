"""Class attributes that a class body sets to ``None`` are annotated ``Any``.

Django's code carries no annotations, and a type checker takes ``function = None`` in
``Func`` for an attribute whose type is None: every subclass that sets it (``function =
"UPPER"``) would then be an error in the user's code once teapot ships ``py.typed``. ``x: Any
= None`` says the attribute is untyped instead. At run time only the class's
``__annotations__`` changes; classes whose annotations mean something at run time
(dataclasses, named tuples, typed dicts) are left alone.
"""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m

from ._base import Rule

IMPORT = cst.parse_statement("from typing import Any\n")
ANNOTATION_AWARE_BASES = {"NamedTuple", "TypedDict"}


def _is_none_placeholder(stmt: cst.BaseStatement) -> bool:
    return m.matches(
        stmt,
        m.SimpleStatementLine(body=[m.Assign(targets=[m.AssignTarget(target=m.Name())], value=m.Name("None"))]),
    )


def _annotated(stmt: cst.SimpleStatementLine) -> cst.SimpleStatementLine:
    assign = stmt.body[0]
    return stmt.with_changes(
        body=[
            cst.AnnAssign(
                target=assign.targets[0].target,
                annotation=cst.Annotation(cst.Name("Any")),
                value=assign.value,
            )
        ]
    )


def _name_of(expr: cst.BaseExpression) -> str | None:
    """``x`` for ``x``, ``a.x`` and ``x(...)``."""
    if isinstance(expr, cst.Call):
        expr = expr.func
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        return expr.attr.value
    return None


def _annotations_matter(node: cst.ClassDef) -> bool:
    return any(_name_of(d.decorator) == "dataclass" for d in node.decorators) or any(
        _name_of(base.value) in ANNOTATION_AWARE_BASES for base in node.bases
    )


class _Annotate(cst.CSTTransformer):
    def __init__(self):
        super().__init__()
        self.count = 0

    def leave_ClassDef(self, original_node, updated_node):
        if _annotations_matter(updated_node) or not isinstance(updated_node.body, cst.IndentedBlock):
            return updated_node
        body = []
        for stmt in updated_node.body.body:
            if _is_none_placeholder(stmt):
                stmt = _annotated(stmt)
                self.count += 1
            body.append(stmt)
        return updated_node.with_changes(body=updated_node.body.with_changes(body=body))


def _binds_any(tree: cst.Module) -> bool:
    """Whether the module binds the name ``Any`` (other than by ``from typing import Any``)."""
    for stmt in tree.body:
        if m.matches(stmt, m.SimpleStatementLine(body=[m.ImportFrom(module=m.Name("typing"))])):
            continue
        if m.findall(stmt, m.Name("Any")):
            return True
    return False


def _imports_any(tree: cst.Module) -> bool:
    return any(
        m.matches(a, m.ImportAlias(name=m.Name("Any"), asname=None))
        for stmt in tree.body
        if m.matches(stmt, m.SimpleStatementLine(body=[m.ImportFrom(module=m.Name("typing"))]))
        for a in stmt.body[0].names
    )


def _with_import(tree: cst.Module) -> cst.Module:
    """``from typing import Any`` after the docstring and the ``__future__`` imports."""
    body = list(tree.body)
    at = 0
    if body and m.matches(body[0], m.SimpleStatementLine(body=[m.Expr(m.SimpleString() | m.ConcatenatedString())])):
        at = 1
    while at < len(body) and m.matches(
        body[at], m.SimpleStatementLine(body=[m.ImportFrom(module=m.Name("__future__"))])
    ):
        at += 1
    return tree.with_changes(body=body[:at] + [IMPORT] + body[at:])


class AnnotateNoneAttributes(Rule):
    NAME = "annotate_none_attributes"
    DESCRIPTION = "annotate class attributes set to None in a class body as Any"

    def transform(self, module, tree, is_package):
        annotate = _Annotate()
        updated = tree.visit(annotate)
        if not annotate.count:
            return tree
        if not _imports_any(tree):
            if _binds_any(tree):
                raise ValueError(f"{module} uses the name Any for something else: cannot annotate its attributes")
            updated = _with_import(updated)
        self.ctx.counts["class attributes annotated Any"] += annotate.count
        return updated
