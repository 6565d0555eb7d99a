"""The tools have one import root, the repository root: run as files or as modules, the
scripts import ``tools.*``, and ``codemod`` is no top-level name beside ``tools.codemod``."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ["rename_fork", "sync_upstream", "django_suite"]


def run(args):
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_script_runs_as_a_file(script):
    result = run([f"tools/{script}.py", "--help"])
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_script_runs_as_a_module(script):
    result = run(["-m", f"tools.{script}", "--help"])
    assert result.returncode == 0, result.stderr


def test_codemod_is_not_a_top_level_name():
    code = (
        "import runpy, sys; sys.argv = ['rename_fork', '--help']\n"
        "try:\n    runpy.run_path('tools/rename_fork.py', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        "import importlib.util; print(importlib.util.find_spec('codemod') is None, 'tools.codemod.pipeline' in sys.modules)"
    )
    result = run(["-c", code])
    assert result.stdout.strip().splitlines()[-1] == "True True", result.stderr
