"""Generate the fork: prune, colour, rewrite, override, rename, stamp, write.

Rules run in this order, for these reasons:

1. ``cut_imports``, ``drop_statements``, ``drop_functions``: shape the snapshot before facts are gathered.
2. (facts) the call graph is built on the cut trees, with overrides' colours fixed.
3. ``async_aliases`` before ``await_io_calls``: twins are rewritten from their upstream shape.
4. ``signal_asend`` before ``await_io_calls``: both wrap calls; sends are not graph calls.
5. ``async_with``, ``async_for``, ``await_io_calls``, ``async_def``: read the colouring by
   qualified name, so they must run while upstream names (``__iter__``, ``django``) hold.
6. ``dunder_map``: renames ``__iter__`` and friends last among the colour rules.
7. ``apply_overrides``: overrides are written in final form and taken verbatim.
8. ``extra_bases``: hand-written base classes, named in the table by upstream module.
   ``database_on_delete``: reads upstream module names too (the schema editors).
9. ``annotate_none_attributes``: after the overrides and extra bases, so every class body is
   covered.
10. ``rename_package``, ``stamp_header``: on everything, last.

Then the modules are written, and the hand-written type stubs (``stubs/``) are copied beside
the modules they describe.
"""

from __future__ import annotations

import difflib
import json
import shutil
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

import libcst as cst

from tools.libcst_toolkit import MARKER

from .callgraph import CallGraph
from .closure import import_closure, module_path
from .pin import Pin
from .rules._base import Context
from .rules.annotate_none_attributes import AnnotateNoneAttributes
from .rules.apply_overrides import ApplyOverrides
from .rules.async_aliases import AsyncAliases
from .rules.async_def import AsyncDef
from .rules.async_for import AsyncFor
from .rules.async_with import AsyncWith
from .rules.await_io_calls import AwaitIoCalls
from .rules.cut_imports import CutImports
from .rules.database_on_delete import DatabaseOnDelete
from .rules.drop_functions import DropFunctions
from .rules.drop_statements import DropStatements
from .rules.dunder_map import DunderMap
from .rules.extra_bases import ExtraBases
from .rules.rename_package import RenamePackage
from .rules.signal_asend import SignalAsend
from .rules.stamp_header import StampHeader

TABLES = Path(__file__).resolve().parent / "tables"
# Hand-written .pyi files, at their paths inside the teapot package: type checkers read them
# instead of the generated modules they sit beside.
STUBS = Path(__file__).resolve().parent / "stubs"
# Template files copied from the folders of the closure table's ``template_folders``.
TEMPLATE_SUFFIXES = (".html", ".txt")

PRE_RULES = [CutImports, DropStatements, DropFunctions]
COLOUR_RULES = [AsyncAliases, SignalAsend, AsyncWith, AsyncFor, AwaitIoCalls, AsyncDef, DunderMap]
POST_RULES = [ExtraBases, DatabaseOnDelete, AnnotateNoneAttributes, RenamePackage, StampHeader]


class GenerationError(RuntimeError):
    """A rule, table entry or override did not apply cleanly; nothing was written.

    ``problems`` sorts what went wrong for tools/sync_upstream.py: "override targets missing",
    "overrides drifted", "rules unmatched"."""

    def __init__(self, message: str, problems: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.problems = problems or {}


def load_tables(pin: Pin) -> dict:
    tables = {p.stem: tomllib.loads(p.read_text()) for p in sorted(TABLES.glob("*.toml"))}
    tables["pin"] = pin
    return tables


@dataclass
class Prepared:
    """The snapshot cut to the closure and coloured: what every later rule works from."""

    ctx: Context
    pristine: dict[str, cst.Module]
    trees: dict[str, cst.Module]
    packages: set[str]
    hand_written: set[str]
    overrides: ApplyOverrides
    graph: CallGraph
    pre_rules: list


def prepare(source_root: Path, pin: Pin, review: bool = False) -> Prepared:
    """Prune, cut and colour the snapshot. Overrides that no longer match upstream raise, unless
    ``review``: then missing targets are left out and drift is kept in ``overrides`` for a report."""
    tables = load_tables(pin)
    ctx = Context(tables=tables)
    closure = tables["closure"]
    modules = import_closure(source_root, closure["seeds"], {tuple(c) for c in closure["cut_imports"]})
    paths = {m: module_path(source_root, m) for m in modules}
    packages = {m for m, p in paths.items() if p.name == "__init__.py"}
    pristine = {m: cst.parse_module(paths[m].read_text()) for m in modules}

    trees = dict(pristine)
    pre = [rule(ctx) for rule in PRE_RULES]
    for rule in pre:
        trees = {m: rule.transform(m, t, m in packages) for m, t in trees.items()}

    overrides = ApplyOverrides(ctx, collect_missing=review)
    overrides.load(pristine)
    if overrides.drift and not review:
        raise GenerationError(
            "upstream changed code under an override; review it:\n  " + "\n  ".join(overrides.drift),
            {"overrides drifted": list(overrides.drift)},
        )

    graph = build_graph(trees, packages, graph_tables(tables), overrides.fixed_colours(), overrides.new_methods())
    ctx.graph = graph
    return Prepared(ctx, pristine, trees, packages, set(closure["hand_written"]), overrides, graph, pre)


def colouring_report(graph: CallGraph) -> dict[str, str]:
    """Every coloured function with the first reason found: diff two of them to review a change."""
    return {q: f"{graph.colour[q]}: {graph.reasons.get(q, '')}" for q in sorted(graph.colour)}


def generate(source_root: Path, out_dir: Path, pin: Pin, review: bool = False) -> dict:
    """Write the generated modules of the fork below ``out_dir`` (the ``teapot`` package
    folder) and return the report. Raises GenerationError on any unused rule or entry, and on
    overrides that no longer match upstream; with ``review``, drifted overrides are applied
    and listed in the report's "override drift" instead (for tools/sync_upstream.py)."""
    started = time.monotonic()
    prep = prepare(source_root, pin, review)
    ctx, graph, overrides, packages = prep.ctx, prep.graph, prep.overrides, prep.packages

    # Only modules that define a coloured function have anything for the colour rules to do.
    coloured = {graph.funcs[q].module for q in graph.colour if q in graph.funcs}
    colour_rules = [rule(ctx) for rule in COLOUR_RULES]
    trees = prep.trees
    for rule in colour_rules:
        trees = {m: rule.transform(m, t, m in packages) if m in coloured else t for m, t in trees.items()}
    trees = {m: overrides.transform(m, t, m in packages) for m, t in trees.items()}
    post = [rule(ctx) for rule in POST_RULES]
    for rule in post:
        trees = {m: rule.transform(m, t, m in packages) for m, t in trees.items() if m not in prep.hand_written}

    unused = [u for rule in prep.pre_rules + colour_rules + [overrides] + post for u in rule.unused()]
    unused += graph_unused(graph, ctx.tables["colouring"])
    if unused or overrides.missing:
        lines = [f"override target {m} is not in the snapshot" for m in overrides.missing]
        if unused:
            lines += ["rules or table entries matched nothing:"] + [f"  {u}" for u in unused]
        raise GenerationError(
            "\n  ".join(lines),
            {"override targets missing": list(overrides.missing), "overrides drifted": list(overrides.drift),
             "rules unmatched": unused},
        )

    problems = [p for p in graph.problems if not _overridden(p, overrides)]
    written = write_tree(trees, packages, out_dir, prep.hand_written)
    stubs = write_stubs(out_dir, written)
    templates = write_templates(source_root, out_dir, ctx.tables["closure"].get("template_folders", []), pin.version)
    colours = [graph.colour[q] for q in graph.colour if q not in graph.fixed]
    report = {
        "django": pin.version,
        "files": len(written),
        "type stubs": len(stubs),
        "templates": len(templates),
        "functions coloured": len(graph.colour),
        "coroutines": colours.count("coroutine"),
        "async generators": colours.count("aiter"),
        "overrides": len(overrides.overrides),
        "keep sync": len(graph.keep_sync_quals),
        "counts": dict(sorted(ctx.counts.items())),
        "warnings": ctx.warnings,
        "unresolved sync callers": problems,
        "override drift": list(overrides.drift),
        # Every coloured function with the first reason found: diff two reports to review a rule change.
        "coloured": colouring_report(graph),
        "seconds": round(time.monotonic() - started, 1),
    }
    return report


def graph_tables(tables: dict) -> dict:
    """What the call graph reads: the colouring table, and the signals sent asynchronously
    (their senders become coroutines)."""
    return {**tables["colouring"], "async_signals": tables["rules"]["async_signals"]}


def build_graph(trees, packages, colouring: dict, fixed: dict, new_methods: dict | None = None) -> CallGraph:
    """Index the (cut) snapshot and colour it, with the overrides' colours fixed and the
    methods they add indexed."""
    graph = CallGraph(colouring)
    for module, tree in trees.items():
        graph.add_module(module, tree, module in packages)
    for qual, node in (new_methods or {}).items():
        graph.add_new_method(qual, node)
    graph.link()
    graph.fixed = fixed
    graph.compute()
    return graph


def graph_unused(graph: CallGraph, table: dict) -> list[str]:
    out = []
    for key in table.get("receiver_types", {}):
        if ("receiver_types", key) not in graph.used_entries:
            out.append(f"receiver_types {key}")
    for key in table.get("dynamic_bases", {}):
        if ("dynamic_bases", key) not in graph.used_entries:
            out.append(f"dynamic_bases {key}")
    for key in table.get("awaited_constructions", []):
        if ("awaited_constructions", key) not in graph.used_entries:
            out.append(f"awaited_constructions {key}")
    for key in table.get("returns", {}):
        if ("returns", key) not in graph.used_entries:
            out.append(f"returns {key}")
    for key in table.get("driver_calls", {}):
        if ("driver_calls", key) not in graph.used_entries:
            out.append(f"driver_calls {key}")
    return out


def _overridden(problem: str, overrides: ApplyOverrides) -> bool:
    qual = problem.split(":", 1)[0]
    return any(qual == ov.qualname for ov in overrides.overrides)


# Suffixes of the files the generator writes: modules, copies of the type stubs, templates.
GENERATED_SUFFIXES = (".py", ".pyi") + TEMPLATE_SUFFIXES


def generated_paths(out_dir: Path) -> list[Path]:
    """Files below ``out_dir`` that carry the generated-file marker: the modules, the copies
    of the type stubs and of the templates."""
    found = []
    for path in sorted(p for p in out_dir.rglob("*") if p.suffix in GENERATED_SUFFIXES and p.is_file()):
        with open(path) as f:
            if MARKER in f.readline():
                found.append(path)
    return found


def write_tree(trees, packages, out_dir: Path, hand_written) -> list[Path]:
    """Replace every generated file below ``out_dir``; hand-written files are left alone."""
    for old in generated_paths(out_dir):
        old.unlink()
    written = []
    for module, tree in sorted(trees.items()):
        if module in hand_written:
            continue
        parts = module.split(".")[1:]
        target = out_dir.joinpath(*parts, "__init__.py") if module in packages else out_dir.joinpath(*parts).with_suffix(".py")
        if target.exists():
            raise GenerationError(f"{target} exists and is not generated: refusing to overwrite it")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(tree.code)
        written.append(target)
    _remove_empty_dirs(out_dir)
    return written


def stub_header(rel: Path) -> str:
    return (
        f"# {MARKER} by tools/rename_fork.py: a copy of tools/codemod/stubs/{rel.as_posix()}\n"
        "# DO NOT EDIT. Edit that file and regenerate with\n"
        "#     python tools/rename_fork.py\n\n"
    )


def write_stubs(out_dir: Path, written: list[Path], stubs_dir: Path = STUBS) -> list[Path]:
    """Copy each stub of ``stubs_dir`` beside the generated module it describes (a stub for a
    module the fork lacks, or for a hand-written one, is an error: those carry their
    annotations inline). Call after write_tree, which removed the previous copies."""
    generated = set(written)
    copied = []
    for stub in sorted(stubs_dir.rglob("*.pyi")):
        rel = stub.relative_to(stubs_dir)
        if out_dir / rel.with_suffix(".py") not in generated:
            raise GenerationError(f"tools/codemod/stubs/{rel.as_posix()} describes a module the fork does not generate")
        target = out_dir / rel
        if target.exists():
            raise GenerationError(f"{target} exists and is not generated: refusing to overwrite it")
        target.write_text(stub_header(rel) + stub.read_text())
        copied.append(target)
    return copied


def template_header(source: str, version: str) -> str:
    """A template comment (it renders as nothing) on the template's first line, so the output
    is upstream's to the byte."""
    return (
        f"{{# {MARKER} by tools/rename_fork.py from Django {version}: {source}. DO NOT EDIT: "
        "regenerate with python tools/rename_fork.py. Derived from Django (BSD-3-Clause, "
        "Copyright (c) Django Software Foundation). #}"
    )


def write_templates(source_root: Path, out_dir: Path, folders: list[str], version: str) -> list[Path]:
    """Copy the templates of each upstream folder in ``folders`` (``django/forms/templates``:
    the widgets' and forms' own) to the same place below ``out_dir``, each opening with the
    generated-file comment. Call after write_tree, which removed the previous copies."""
    copied = []
    for folder in folders:
        top = source_root / folder
        if not top.is_dir():
            raise GenerationError(f"template folder {folder} is not in the snapshot")
        for source in sorted(p for p in top.rglob("*") if p.is_file() and p.suffix in TEMPLATE_SUFFIXES):
            rel = source.relative_to(source_root)
            target = out_dir.joinpath(*rel.parts[1:])
            if target.exists():
                raise GenerationError(f"{target} exists and is not generated: refusing to overwrite it")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(template_header(rel.as_posix(), version) + source.read_text())
            copied.append(target)
    return copied


def _remove_empty_dirs(root: Path) -> None:
    for folder in sorted((p for p in root.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
        leftovers = [p for p in folder.iterdir() if p.name != "__pycache__"]
        if not leftovers:
            shutil.rmtree(folder)


def write_report(report: dict, path: Path) -> None:
    path.write_text(json.dumps(report, indent=2, sort_keys=False) + "\n")


def compare_trees(expected_dir: Path, actual_dir: Path) -> list[str]:
    """Differences between two generated trees, as short lines."""
    expected = {p.relative_to(expected_dir): p for p in generated_paths(expected_dir)}
    actual = {p.relative_to(actual_dir): p for p in generated_paths(actual_dir)} if actual_dir.exists() else {}
    lines = []
    for rel in sorted(set(expected) - set(actual)):
        lines.append(f"missing: {rel}")
    for rel in sorted(set(actual) - set(expected)):
        lines.append(f"stale (not generated any more): {rel}")
    for rel in sorted(set(expected) & set(actual)):
        a, b = expected[rel].read_text(), actual[rel].read_text()
        if a != b:
            diff = list(difflib.unified_diff(b.splitlines(), a.splitlines(), lineterm="", n=0))
            changed = sum(1 for d in diff if d[:1] in "+-" and not d.startswith(("+++", "---")))
            lines.append(f"differs: {rel} ({changed} lines)")
    return lines


def compile_errors(out_dir: Path) -> list[str]:
    """Generated files below ``out_dir`` that Python refuses to compile (libcst prints code it
    parsed, but a rule can still produce, say, an ``await`` outside an async function)."""
    errors = []
    for path in generated_paths(out_dir):
        if path.suffix not in (".py", ".pyi"):
            continue
        try:
            compile(path.read_text(), str(path), "exec", dont_inherit=True)
        except SyntaxError as exc:
            errors.append(f"{path.relative_to(out_dir)}:{exc.lineno}: {exc.msg}")
    return errors
