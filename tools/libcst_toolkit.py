"""What the codemod (tools/codemod/) and the conformance transformer (tools/conformance/) share
of libcst: the dotted name of an expression, the scopes around the node being visited, the
target of a relative import, and the header that says a file is generated."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

MARKER = f"@gen{''}erated"  # split so this source file is not itself taken for generated code


def dotted(expr) -> str | None:
    """``a.b.c`` for a chain of names and attributes, else None."""
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        head = dotted(expr.value)
        return f"{head}.{expr.attr.value}" if head else None
    return None


def resolve_relative(module: str, is_package: bool, level: int, target: str | None) -> str:
    """The module that ``from <level dots><target> import ...`` names inside ``module``."""
    if level == 0:
        return target or ""
    parts = module.split(".")
    if not is_package:
        parts = parts[:-1]
    if level > 1:
        parts = parts[: len(parts) - (level - 1)]
    return ".".join(parts + ([target] if target else []))


def after_imports(tree: cst.Module, statements: list) -> cst.Module:
    """``tree`` with ``statements`` placed after its last top-level import statement (first,
    where it has none)."""
    body = list(tree.body)
    last_import = 0
    for i, stmt in enumerate(body):
        if isinstance(stmt, cst.SimpleStatementLine) and isinstance(stmt.body[0], (cst.Import, cst.ImportFrom)):
            last_import = i + 1
    return tree.with_changes(body=[*body[:last_import], *statements, *body[last_import:]])


def header_lines(made_by: str, version: str, source: str, change: str, command: str) -> list[str]:
    """The comment that opens a file ``made_by`` a tool from Django ``version``'s ``source``:
    what to ``change`` instead of the file, and the ``command`` that makes it again."""
    return [
        f"# {MARKER} by {made_by} from Django {version}: {source}",
        f"# DO NOT EDIT. {change}",
        f"#     {command}",
        "# Derived from Django (BSD-3-Clause, Copyright (c) Django Software Foundation).",
    ]


def stamp(tree: cst.Module, lines: list[str]) -> cst.Module:
    """``tree`` opening with the comment ``lines``; the same tree when it does already."""
    existing = [e.comment.value if e.comment else None for e in tree.header[: len(lines)]]
    if existing == lines:
        return tree  # stamped already: stamping is idempotent
    comments = [cst.EmptyLine(comment=cst.Comment(line)) for line in lines]
    return tree.with_changes(header=comments + [cst.EmptyLine()] + list(tree.header))


@dataclass(frozen=True)
class Frame:
    """A class, function or lambda around the node being visited. ``qualname`` is its dotted
    path (a lambda has none); ``key`` is the name the tracker's owner knows it by, the
    qualname unless ``function_key`` says otherwise."""

    kind: str  # "class", "def" or "lambda"
    qualname: str
    key: str


class ScopeTracker:
    """Keeps ``self.frames``, the classes, functions and lambdas around the node being visited,
    for a CSTVisitor or a CSTTransformer; ``prefix`` (a module name) starts every qualname."""

    prefix = ""

    def start_scopes(self, prefix: str = "") -> None:
        self.prefix = prefix
        self.frames: list[Frame] = []

    def qualname(self, name: str) -> str:
        """The qualname of ``name`` defined in the current scope."""
        for frame in reversed(self.frames):
            if frame.kind != "lambda":
                return f"{frame.qualname}.{name}"
        return f"{self.prefix}.{name}" if self.prefix else name

    def function_key(self, node: cst.FunctionDef, qualname: str) -> str:
        return qualname

    def enclosing(self, kind: str) -> Frame | None:
        """The innermost frame of ``kind`` around the node."""
        for frame in reversed(self.frames):
            if frame.kind == kind:
                return frame
        return None

    def innermost_function(self) -> str | None:
        """The key of the function whose own body the node is in (not a lambda's or a class's
        inside it), else None."""
        if self.frames and self.frames[-1].kind == "def":
            return self.frames[-1].key
        return None

    def visit_ClassDef(self, node: cst.ClassDef):
        qual = self.qualname(node.name.value)
        self.frames.append(Frame("class", qual, qual))

    def leave_ClassDef(self, original_node, updated_node=None):
        self.frames.pop()
        return updated_node

    def visit_FunctionDef(self, node: cst.FunctionDef):
        qual = self.qualname(node.name.value)
        self.frames.append(Frame("def", qual, self.function_key(node, qual)))

    def leave_FunctionDef(self, original_node, updated_node=None):
        self.frames.pop()
        return updated_node

    def visit_Lambda(self, node: cst.Lambda):
        self.frames.append(Frame("lambda", "", ""))

    def leave_Lambda(self, original_node, updated_node=None):
        self.frames.pop()
        return updated_node


class ScopedTransformer(ScopeTracker, cst.CSTTransformer):
    def __init__(self, prefix: str = ""):
        super().__init__()
        self.start_scopes(prefix)


class ScopedVisitor(ScopeTracker, cst.CSTVisitor):
    def __init__(self, prefix: str = ""):
        super().__init__()
        self.start_scopes(prefix)
