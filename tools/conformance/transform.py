"""Transform apps of Django's test suite (the pinned sdist's ``tests/``) into async tests
for teapot, with the rules of tools/conformance/rules/ (one rule per module, applied in
rules.ORDER). The output is built, never committed (build/conformance/apps/).

    python -m tools.conformance.transform basic lookup --out build/conformance/apps
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import shutil
import traceback
from pathlib import Path

import libcst as cst

from tools.conformance import rules as rule_modules
from tools.conformance.names import ambiguous_names, awaitable_classes, coroutine_names, coroutine_patterns, coroutine_prefixes, function_names, model_formset_factories, queryset_coroutine_names
from tools.conformance.rules import async_def
from tools.conformance.rules._base import Context

ROOT = Path(__file__).resolve().parents[2]

FIELD_CALL = re.compile(r"(Field|ForeignKey|ForeignObject|GenericRelation|GenericForeignKey)$")
FORMAT_VERSION = "1"


def pinned_version() -> str:
    from tools.codemod.pin import Pin

    return Pin.load(ROOT / "upstream.lock").version


def is_models_file(path: Path) -> bool:
    return path.name.startswith("models") or "models" in path.parent.parts[-1:]


def model_attrs(app_dir: Path) -> set[str]:
    """Field and relation names, related names and reverse one-to-one names declared by the
    app's models."""
    names: set[str] = set()
    for path in app_dir.rglob("*.py"):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except SyntaxError:
            continue
        for cls in ast.walk(tree):
            if not isinstance(cls, ast.ClassDef):
                continue
            declares = False
            for stmt in cls.body:
                if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
                    func = stmt.value.func
                    fname = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                    if FIELD_CALL.search(fname or ""):
                        declares = True
                        targets = [t.id for t in stmt.targets if isinstance(t, ast.Name)]
                        names.update(targets)
                        if fname in ("ForeignKey", "OneToOneField"):
                            names.update(f"{t}_id" for t in targets)  # the attname, deferrable
                        for kw in stmt.value.keywords:
                            if kw.arg == "related_name" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                                if not kw.value.value.endswith("+"):
                                    names.add(kw.value.value.replace("%(class)s", "").replace("%(app_label)s", ""))
            if (declares or _has_model_base(cls)) and is_models_file(path):
                names.add(cls.name.lower())  # reverse one-to-one / parent link accessors
                names.add(f"{cls.name.lower()}_ptr")  # a child's link to this parent, made by Django
    return {n for n in names if n.isidentifier()}


def _has_model_base(cls: ast.ClassDef) -> bool:
    """A class of a models module derived from something other than object (a model, a
    parent model, an abstract base): its lowercase name may be a reverse accessor."""
    names = [b.attr if isinstance(b, ast.Attribute) else getattr(b, "id", "") for b in cls.bases]
    return bool(names) and not any(n in ("object", "Enum", "TextChoices", "IntegerChoices", "Exception") for n in names) and cls.name != "Meta"


def app_dependencies(app_dir: Path, tests_root: Path, app: str) -> set[str]:
    """Other test apps whose modules the app imports (their models must be installed too)."""
    deps = set()
    pattern = re.compile(r"^\s*(?:from|import)\s+([A-Za-z_][A-Za-z_0-9]*)(?:\.|\s)", re.M)
    for path in app_dir.rglob("*.py"):
        for match in pattern.finditer(path.read_text(encoding="utf-8")):
            name = match.group(1)
            if name != app and (tests_root / name).is_dir() and (tests_root / name / "__init__.py").exists():
                deps.add(name)
    return deps


def app_references(app_dir: Path, tests_root: Path, app: str) -> set[str]:
    """Other test apps a test puts in INSTALLED_APPS (``@override_settings(INSTALLED_APPS=
    ["basic"])``, ``modify_settings(INSTALLED_APPS={"append": ...})``): built so that they
    import, not installed for the whole run."""
    refs = set()
    for path in app_dir.rglob("*.py"):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "INSTALLED_APPS":
                for const in ast.walk(node.value):
                    if isinstance(const, ast.Constant) and isinstance(const.value, str):
                        name = const.value.split(".")[0]
                        if name != app and name.isidentifier() and (tests_root / name / "__init__.py").exists():
                            refs.add(name)
    return refs


def transform_source(source: str, ctx: Context) -> str:
    tree = cst.parse_module(source)
    for rule in rule_modules.ORDER[: rule_modules.ORDER.index(rule_modules.await_calls)]:
        tree = rule.apply(tree, ctx)  # the rules that run before async_def decides
    async_def.decide(tree, ctx)
    for rule in rule_modules.ORDER[rule_modules.ORDER.index(rule_modules.await_calls) :]:
        tree = rule.apply(tree, ctx)
    return tree.code


def module_name(rel: Path) -> str:
    """``app/sub/mod.py`` -> ``app.sub.mod`` (a package's ``__init__.py`` -> the package)."""
    parts = list(rel.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports_from(source: str, module: str, is_package: bool):
    """(module imported from, ImportFrom node) for each ``from X import ...`` of a module."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return
    package = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level:
            base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
            target = ".".join(base + ([node.module] if node.module else []))
        else:
            target = node.module or ""
        yield target, node


def imported_async(source: str, module: str, is_package: bool, async_plain: dict) -> frozenset:
    """The names a module binds by ``from X import f`` where X is a module of the app whose
    module-level function ``f`` was made async (``async_plain``: module -> names)."""
    found = set()
    for target, node in _imports_from(source, module, is_package):
        names = async_plain.get(target, set())
        for alias in node.names:
            if alias.name in names:
                found.add(alias.asname or alias.name)
    return frozenset(found)


def imported_methods(source: str, module: str, is_package: bool, async_methods: dict) -> frozenset:
    """The methods made async in the app's modules a module imports from (``from .test_base
    import MigrationTestBase``: its helpers, called as ``self.assertTableExists()``)."""
    found = set()
    for target, _node in _imports_from(source, module, is_package):
        found |= async_methods.get(target, set())
    return frozenset(found)


def import_time_calls(source: str) -> set[str]:
    """The functions a module calls by bare name in its top-level statements, which run while
    it is imported (``register_tests(SomeTests, ...)``)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for node in ast.walk(stmt):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                names.add(node.func.id)
    return names


def self_calls_defined_elsewhere(source: str) -> set[str]:
    """The methods a module calls on ``self`` without defining them in it: a mixin calling a
    helper that each subclass, in its own module, provides (``self._get_field_values()``).
    When a module of the app made such a helper async, the caller awaits it through aw()."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    defined = {node.name for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    called = {
        node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "self"
    }
    return called - defined


def make_context(upstream_path: str, attrs, is_test_module: bool, imported=frozenset(), methods=frozenset(), import_time=frozenset(), foreign=frozenset()) -> Context:
    return Context(
        foreign_async_methods=frozenset(foreign),
        imported_async=frozenset(imported),
        imported_methods=frozenset(methods),
        import_time_calls=frozenset(import_time),
        awaitable_classes=awaitable_classes(),
        model_formset_factories=model_formset_factories(),
        queryset_coroutines=queryset_coroutine_names(),
        coroutines=coroutine_names(),
        coroutine_prefixes=coroutine_prefixes(),
        coroutine_patterns=coroutine_patterns(),
        ambiguous=ambiguous_names(),
        functions=function_names(),
        model_attrs=frozenset(attrs),
        upstream_path=upstream_path,
        version=pinned_version(),
        is_test_module=is_test_module,
    )


def build_app(app: str, tests_root: Path, out_root: Path, attrs=None) -> dict:
    """Transform one app folder; returns a manifest (dependencies, files, failures)."""
    src = tests_root / app
    dst = out_root / app
    if dst.exists():
        shutil.rmtree(dst)
    attrs = set(attrs or ()) | model_attrs(src)
    # Functions called while a module of the app is imported stay sync wherever they are
    # defined (test_natural.py calls register_tests() from tests.py at its top level).
    import_time: set[str] = set()
    for path in sorted(src.rglob("*.py")):
        import_time |= import_time_calls(path.read_text(encoding="utf-8"))
    # First pass: which module-level functions each module makes async, so that a module
    # importing one of them (tests.py: ``from .models import create_a``) awaits its calls.
    async_plain: dict[str, set] = {}
    async_methods: dict[str, set] = {}
    for path in sorted(src.rglob("*.py")):
        rel = path.relative_to(tests_root)
        ctx = make_context(str(rel), attrs, not is_models_file(path), import_time=import_time)
        try:
            transform_source(path.read_text(encoding="utf-8"), ctx)
        except Exception:
            continue
        async_plain[module_name(rel)] = ctx.async_plain
        async_methods[module_name(rel)] = ctx.async_methods
    made_async_methods = set().union(*async_methods.values()) if async_methods else set()
    failures = {}
    files = 0
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(tests_root)
        target = out_root / rel
        if path.is_dir():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix != ".py":
            shutil.copyfile(path, target)
            continue
        files += 1
        source = path.read_text(encoding="utf-8")
        is_test = not is_models_file(path)
        imported = imported_async(source, module_name(rel), path.name == "__init__.py", async_plain)
        methods = imported_methods(source, module_name(rel), path.name == "__init__.py", async_methods)
        foreign = self_calls_defined_elsewhere(source) & made_async_methods
        try:
            code = transform_source(source, make_context(str(rel), attrs, is_test, imported, methods, import_time, foreign))
            compile(code, str(rel), "exec")  # a rule that writes invalid code is a failure too
        except Exception:
            failures[str(rel)] = traceback.format_exc(limit=3)
            code = rule_modules.stamp_header.apply(
                rule_modules.rename_imports.apply(cst.parse_module(source), Context()), make_context(str(rel), attrs, is_test)
            ).code
        target.write_text(code, encoding="utf-8")
    manifest = {
        "app": app,
        "files": files,
        "dependencies": sorted(app_dependencies(src, tests_root, app)),
        "references": sorted(app_references(src, tests_root, app) - app_dependencies(src, tests_root, app)),
        "failures": failures,
        "format": FORMAT_VERSION,
    }
    (dst / ".manifest.json").write_text(json.dumps(manifest, indent=1))
    return manifest


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("apps", nargs="+")
    parser.add_argument("--tests", default=None, help="Django's tests/ folder (default: from the pinned sdist)")
    parser.add_argument("--out", default=str(ROOT / "build" / "conformance" / "apps"))
    args = parser.parse_args(argv)
    from tools.conformance.sources import tests_root

    root = Path(args.tests) if args.tests else tests_root()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for app in args.apps:
        manifest = build_app(app, root, out)
        print(app, manifest["files"], "files", "failures:", list(manifest["failures"]))


if __name__ == "__main__":
    main()
