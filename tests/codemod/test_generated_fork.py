"""The installed fork as a whole: every generated module is stamped, compiles, names no
``django`` module, and imports on its own in a fresh interpreter (no import cycles that
only a lucky import order hides)."""

import ast
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tools.codemod.pipeline import generated_paths

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "teapot"
GENERATED = [path for path in generated_paths(PACKAGE) if path.suffix == ".py"]

# Django 5.2.19 itself cannot import these first, on their own: each imports its backend's
# base module, which imports it back. A fork that adds a cycle fails; one that removes one
# makes this list stale and fails too.
UPSTREAM_CYCLES = {
    "teapot.db.backends.base.operations",
    "teapot.db.backends.mysql.operations",
    "teapot.db.backends.postgresql.operations",
    "teapot.db.backends.sqlite3.features",
    "teapot.db.backends.sqlite3.operations",
}

# Modules that define a model class: like Django's, they need the app registry, so they import
# only after setup (checked below, with the app installed).
# The contrib apps' first migrations import their models. (A migration's module name starts
# with a digit: modules are imported with importlib, as the migration loader does.)
NEEDS_SETUP = {
    "teapot.contrib.contenttypes.fields",
    "teapot.contrib.contenttypes.forms",
    "teapot.contrib.contenttypes.models",
    "teapot.contrib.contenttypes.migrations.0001_initial",
    "teapot.contrib.auth.backends",
    "teapot.contrib.auth.base_user",
    "teapot.contrib.auth.models",
    "teapot.contrib.auth.migrations.0001_initial",
    "teapot.contrib.sites.models",
    "teapot.contrib.sites.migrations.0001_initial",
    "teapot.contrib.sites.migrations.0002_alter_domain_unique",
}
SETUP = (
    "import teapot; teapot.setup('sqlite://:memory:', "
    "installed_apps=['teapot.contrib.contenttypes', 'teapot.contrib.auth', 'teapot.contrib.sites']); "
)


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_the_fork_is_generated():
    # The ORM closure is about 140 modules: far fewer means generation did not run.
    assert len(GENERATED) > 100


def test_every_generated_module_compiles_and_names_no_django_module():
    leftovers = []
    for path in GENERATED:
        tree = ast.parse(path.read_text(), filename=str(path))
        compile(tree, str(path), "exec")
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "django":
                leftovers.append(f"{path}: from {node.module}")
            if isinstance(node, ast.Import):
                leftovers += [f"{path}: import {a.name}" for a in node.names if a.name.split(".")[0] == "django"]
    assert leftovers == []


def _import_alone(module: str, setup: str = "") -> str | None:
    run = subprocess.run(
        [sys.executable, "-c", f"{setup}import importlib; importlib.import_module({module!r})"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": ""},
        timeout=120,
    )
    return None if run.returncode == 0 else f"{module}: {run.stderr.strip().splitlines()[-1]}"


def test_every_generated_module_imports_on_its_own():
    modules = sorted(module_name(p) for p in GENERATED)
    with ThreadPoolExecutor(max_workers=8) as pool:
        failures = dict(zip(modules, pool.map(_import_alone, modules)))
    failing = {m for m, error in failures.items() if error}
    assert sorted(failures[m] for m in failing - UPSTREAM_CYCLES - NEEDS_SETUP) == []
    assert failing == UPSTREAM_CYCLES | NEEDS_SETUP
    for module in NEEDS_SETUP:
        assert "Requested setting INSTALLED_APPS" in failures[module]


@pytest.mark.parametrize("module", sorted(NEEDS_SETUP))
def test_model_modules_import_once_their_app_is_installed(module):
    assert _import_alone(module, SETUP) is None
