"""Give the schema editors' foreign keys Django 6.1's ``ON DELETE`` slot.

Django 6.1 lets a foreign key's ``on_delete`` be carried out by the database (``DB_CASCADE``
and its kin): the key's DDL ends its REFERENCES clause with ``ON DELETE <operation>``. The
fork is made from Django 5.2, whose templates have no place for it, and adapted 6.1 models
need it for teapot's DDL to be Django's. In the schema editor modules this rule

- puts ``%(on_delete_db)s`` right after ``(%(to_column)s)`` in the foreign-key templates
  (class attributes whose name starts with ``sql_create`` and ends with ``fk``), as 6.1 does,
  and wraps each in ``teapot.foreign_key_templates.ForeignKeyTemplate``, which formats an
  empty slot for code that gives Django 5.2's keys only;
- fills it wherever those templates are formatted: each dict literal with a ``"to_column"``
  key and each call with a ``to_column=`` keyword gets
  ``on_delete_db=self._create_on_delete_sql(model, field)`` (an override, which gives "" for
  the on_delete handlers Django 5.2 has).
"""

from __future__ import annotations

import re

import libcst as cst

from tools.libcst_toolkit import after_imports

from ._base import Rule

SCHEMA_MODULE = re.compile(r"^django\.db\.backends\.[a-z0-9_]+\.schema$")
TEMPLATE_CLASS = "ForeignKeyTemplate"
TEMPLATE_IMPORT = "from teapot.foreign_key_templates import ForeignKeyTemplate"
SLOT_AFTER = "(%(to_column)s)"
SLOT = "%(on_delete_db)s"
FILL = "self._create_on_delete_sql(model, field)"


def _is_fk_template(name: str) -> bool:
    return name.startswith("sql_create") and name.endswith("fk")


def _holds_slot(value) -> bool:
    """Whether a template's value is a string literal (plain or implicitly concatenated) in
    which the slot was put."""
    if isinstance(value, cst.SimpleString):
        return SLOT in value.value
    if isinstance(value, cst.ConcatenatedString):
        return _holds_slot(value.left) or _holds_slot(value.right)
    return False


class _Slots(cst.CSTTransformer):
    def __init__(self):
        super().__init__()
        self.templates = 0
        self.fills = 0
        self.wrapped = 0
        self._template_depth = 0

    # Templates: class-level assignments.
    def visit_Assign(self, node: cst.Assign) -> None:
        names = [t.target.value for t in node.targets if isinstance(t.target, cst.Name)]
        if any(_is_fk_template(n) for n in names):
            self._template_depth += 1

    def leave_Assign(self, original_node, updated_node):
        names = [t.target.value for t in original_node.targets if isinstance(t.target, cst.Name)]
        if not any(_is_fk_template(n) for n in names):
            return updated_node
        self._template_depth -= 1
        value = updated_node.value
        if _holds_slot(value):
            self.wrapped += 1
            inner = value.with_changes(lpar=[], rpar=[])
            call = cst.Call(cst.Name(TEMPLATE_CLASS), [cst.Arg(inner)], lpar=value.lpar, rpar=value.rpar)
            return updated_node.with_changes(value=call)
        return updated_node

    def leave_SimpleString(self, original_node, updated_node):
        if self._template_depth and SLOT_AFTER in updated_node.value and SLOT not in updated_node.value:
            self.templates += 1
            return updated_node.with_changes(value=updated_node.value.replace(SLOT_AFTER, SLOT_AFTER + SLOT))
        return updated_node

    # Fills: where the templates are formatted.
    def leave_Dict(self, original_node, updated_node):
        keys = [e.key.value for e in updated_node.elements if isinstance(e, cst.DictElement) and isinstance(e.key, cst.SimpleString)]
        if '"to_column"' not in keys or '"on_delete_db"' in keys:
            return updated_node
        self.fills += 1
        element = cst.DictElement(cst.SimpleString('"on_delete_db"'), cst.parse_expression(FILL))
        return updated_node.with_changes(elements=_append(list(updated_node.elements), element))

    def leave_Call(self, original_node, updated_node):
        keywords = [a.keyword.value for a in updated_node.args if a.keyword is not None]
        if "to_column" not in keywords or "on_delete_db" in keywords:
            return updated_node
        self.fills += 1
        equal = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))
        arg = cst.Arg(cst.parse_expression(FILL), keyword=cst.Name("on_delete_db"), equal=equal)
        return updated_node.with_changes(args=_append(list(updated_node.args), arg))


def _append(items, new):
    """``items`` (dict elements or call arguments) with ``new`` last, laid out like its
    neighbours: the separator between the last two items is reused, a trailing comma kept."""
    last = items[-1]
    before_last = items[-2].comma if len(items) > 1 else cst.MaybeSentinel.DEFAULT
    between = before_last if isinstance(before_last, cst.Comma) else cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    if isinstance(last.comma, cst.Comma):
        return [*items[:-1], last.with_changes(comma=between), new.with_changes(comma=last.comma)]
    return [*items[:-1], last.with_changes(comma=between), new]


class DatabaseOnDelete(Rule):
    NAME = "database_on_delete"
    DESCRIPTION = "an ON DELETE slot in the schema editors' foreign-key templates, filled where they are formatted"

    def __init__(self, ctx):
        super().__init__(ctx)
        self.templates = 0
        self.fills = 0

    def transform(self, module, tree, is_package):
        if not SCHEMA_MODULE.match(module):
            return tree
        slots = _Slots()
        tree = tree.visit(slots)
        if slots.wrapped:
            tree = after_imports(tree, [cst.parse_statement(TEMPLATE_IMPORT)])
        self.templates += slots.templates
        self.fills += slots.fills
        self.ctx.counts["on_delete slots"] += slots.templates
        self.ctx.counts["on_delete fills"] += slots.fills
        return tree

    def unused(self):
        missing = []
        if not self.templates:
            missing.append("database_on_delete: no foreign-key template took the slot")
        if not self.fills:
            missing.append("database_on_delete: no place formats the foreign-key templates")
        return missing
