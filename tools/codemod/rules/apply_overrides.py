"""Swap hand-written overrides (``overrides/``) into the generated modules by qualified name.

Loading happens before colouring (an override fixes its function's colour for the call
graph); the swap happens after the async rules, so overrides are taken verbatim.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import libcst as cst

from tools.libcst_toolkit import after_imports, dotted

from ..callgraph import AITER, COROUTINE
from ._base import Rule

OVERRIDES_DIR = Path(__file__).resolve().parent.parent / "overrides"
MARKER_MODULE = "tools.codemod.overrides"  # override files import the marker from here
# The comment line above every definition an override put in the generated code, followed
# by the override file's path from the repository root.
MARKER_COMMENT = "# teapot override: "


def code_hash(node: cst.CSTNode) -> str:
    code = cst.Module(body=[]).code_for_node(node).strip()
    return hashlib.sha256(code.encode()).hexdigest()[:12]


def find_def(tree: cst.Module, path: list[str]):
    """The FunctionDef/ClassDef at ``path`` (names of nested classes/functions), or None."""
    body = tree.body
    node = None
    for i, name in enumerate(path):
        found = None
        for stmt in _flatten(body):
            if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)) and stmt.name.value == name:
                found = stmt
        if found is None:
            return None
        node = found
        body = found.body.body if i < len(path) - 1 else None
    return node


def _flatten(body):
    for stmt in body:
        if isinstance(stmt, cst.If):  # methods defined in if-blocks of class bodies
            yield from _flatten(stmt.body.body)
            orelse = stmt.orelse
            while orelse is not None:
                yield from _flatten(orelse.body.body)
                orelse = getattr(orelse, "orelse", None)
        else:
            yield stmt


@dataclass
class Override:
    module: str  # upstream module name
    target: str  # path inside the module, e.g. "QuerySet.__len__"
    node: cst.FunctionDef | cst.ClassDef
    upstream: str | None
    new: bool
    colour: str | None
    source: str
    # Where set, the upstream function stays in the class under this name, for the override
    # to call (an override that adds a fast path in front of upstream's code).
    keep_upstream_as: str | None = None

    @property
    def qualname(self) -> str:
        return f"{self.module}.{self.target}"


def _kwarg(call: cst.Call, name: str):
    for arg in call.args:
        if arg.keyword and arg.keyword.value == name:
            return arg.value
    return None


def _literal(expr):
    if expr is None:
        return None
    if isinstance(expr, cst.SimpleString):
        return expr.evaluated_value
    if isinstance(expr, cst.Name) and expr.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[expr.value]
    raise ValueError(f"override arguments must be literals, got {cst.Module([]).code_for_node(expr)}")


def _natural_colour(node) -> str | None:
    if not isinstance(node, cst.FunctionDef) or node.asynchronous is None:
        return None

    class FindYield(cst.CSTVisitor):
        found = False

        def visit_FunctionDef(self, inner):
            return inner is node

        def visit_Yield(self, _):
            self.found = True

    finder = FindYield()
    node.visit(finder)
    return AITER if finder.found else COROUTINE


def override_files():
    """(upstream module, parsed tree, source path) of every override file."""
    for path in sorted(OVERRIDES_DIR.rglob("*.py")):
        if path.name == "__init__.py" and path.parent == OVERRIDES_DIR:
            continue
        parts = list(path.relative_to(OVERRIDES_DIR).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        module = ".".join(["django"] + parts)
        yield module, cst.parse_module(path.read_text()), str(path.relative_to(OVERRIDES_DIR.parent.parent.parent))


def read_override(module: str, stmt, source: str) -> Override | None:
    """The override a top-level statement of an override file declares (``@override(...)``), if any."""
    if not isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
        return None
    marks = [d for d in stmt.decorators if isinstance(d.decorator, cst.Call) and dotted(d.decorator.func) == "override"]
    if not marks:
        return None
    call = marks[0].decorator
    target = _literal(call.args[0].value)
    node = stmt.with_changes(decorators=[d for d in stmt.decorators if d not in marks])
    if node.name.value != target.rsplit(".", 1)[-1]:
        raise ValueError(f"{source}: {node.name.value} does not match its target {target}")
    return Override(
        module=module,
        target=target,
        node=node,
        upstream=_literal(_kwarg(call, "upstream")),
        new=bool(_literal(_kwarg(call, "new"))),
        colour=_literal(_kwarg(call, "colour")),
        source=source,
        keep_upstream_as=_literal(_kwarg(call, "keep_upstream_as")),
    )


class ApplyOverrides(Rule):
    NAME = "apply_overrides"
    DESCRIPTION = "replace upstream functions with hand-written overrides"

    def __init__(self, ctx, collect_missing: bool = False):
        super().__init__(ctx)
        self.overrides: list[Override] = []
        self.imports: dict[str, list[cst.CSTNode]] = {}
        self.applied: set[str] = set()
        self.drift: list[str] = []
        # Targets upstream no longer defines. Loading raises on the first one, unless asked to
        # collect them (tools/sync_upstream.py reports every problem of a snapshot at once).
        self.collect_missing = collect_missing
        self.missing: list[str] = []

    # -- loading
    def load(self, pristine: dict[str, cst.Module]) -> None:
        for module, tree, source in override_files():
            self._load_file(module, tree, source, pristine)

    def _load_file(self, module, tree, source, pristine):
        if module not in pristine:
            raise ValueError(f"{source}: {module} is not a module of the fork")
        for stmt in tree.body:
            if isinstance(stmt, cst.SimpleStatementLine) and isinstance(stmt.body[0], (cst.Import, cst.ImportFrom)):
                imp = stmt.body[0]
                if isinstance(imp, cst.ImportFrom) and imp.module and dotted(imp.module) == MARKER_MODULE:
                    continue
                self.imports.setdefault(module, []).append(stmt)
                continue
            ov = read_override(module, stmt, source)
            if ov is None:
                continue
            upstream_node = find_def(pristine[module], ov.target.split("."))
            if ov.new:
                if upstream_node is not None:
                    raise ValueError(f"{source}: {ov.target} is marked new but upstream defines it")
            else:
                if upstream_node is None:
                    if self.collect_missing:
                        self.missing.append(f"{ov.qualname} ({source})")
                        continue
                    raise ValueError(f"{source}: override target {ov.qualname} is not in the snapshot")
                found = code_hash(upstream_node)
                if found != ov.upstream:
                    self.drift.append(f"{ov.qualname}: upstream hash is {found}, the override records {ov.upstream}")
            self.overrides.append(ov)

    def fixed_colours(self) -> dict[str, str | None]:
        return {ov.qualname: ov.colour or _natural_colour(ov.node) for ov in self.overrides}

    def new_methods(self) -> dict[str, cst.FunctionDef]:
        return {ov.qualname: ov.node for ov in self.overrides if ov.new}

    # -- applying
    def transform(self, module, tree, is_package):
        mine = [ov for ov in self.overrides if ov.module == module]
        if not mine and module not in self.imports:
            return tree
        for ov in mine:
            tree = self._swap(tree, ov)
            self.applied.add(ov.qualname)
            self.ctx.counts["overrides applied"] += 1
        extra = self.imports.get(module, [])
        if extra:
            tree = after_imports(tree, extra)
        return tree

    def _swap(self, tree, ov: Override):
        path = ov.target.split(".")
        node = ov.node
        async_name = dict(self.ctx.tables["rules"].get("dunder_map", [])).get(path[-1])
        if async_name and isinstance(node, cst.FunctionDef) and node.asynchronous is not None:
            # dunder_map leaves overridden methods alone: an async override of __enter__ or
            # __iter__ takes the async protocol name itself.
            node = node.with_changes(name=cst.Name(async_name))

        # Generated code names where it came from: a marker line right above the definition.
        marker = cst.EmptyLine(comment=cst.Comment(f"{MARKER_COMMENT}{ov.source}"))

        def replace_in(body, depth):
            out = []
            replaced = False
            for stmt in body:
                if isinstance(stmt, cst.If) and depth == len(path) - 1 and not ov.new:
                    new_body, hit = replace_in(stmt.body.body, depth)
                    if hit:
                        stmt = stmt.with_changes(body=stmt.body.with_changes(body=new_body))
                        replaced = True
                if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)) and stmt.name.value == path[depth]:
                    if depth == len(path) - 1:
                        if not ov.new:
                            if ov.keep_upstream_as:
                                kept_marker = cst.EmptyLine(
                                    comment=cst.Comment(f"{MARKER_COMMENT}{ov.source} (upstream's {path[-1]}, kept)")
                                )
                                out.append(
                                    stmt.with_changes(
                                        name=cst.Name(ov.keep_upstream_as),
                                        leading_lines=[*stmt.leading_lines, kept_marker],
                                    )
                                )
                                stmt = node.with_changes(leading_lines=[cst.EmptyLine(), marker])
                            else:
                                stmt = node.with_changes(leading_lines=[*stmt.leading_lines, marker])
                            replaced = True
                    else:
                        inner, hit = replace_in(stmt.body.body, depth + 1)
                        if hit:
                            stmt = stmt.with_changes(body=stmt.body.with_changes(body=inner))
                            replaced = True
                out.append(stmt)
            if ov.new and depth == len(path) - 1:
                out.append(node.with_changes(leading_lines=[cst.EmptyLine(), marker]))
                replaced = True
            return out, replaced

        body, hit = replace_in(list(tree.body), 0)
        if not hit:
            raise ValueError(f"{ov.source}: could not place override {ov.qualname}")
        return tree.with_changes(body=body)

    def unused(self):
        return [f"override {ov.qualname}" for ov in self.overrides if ov.qualname not in self.applied]
