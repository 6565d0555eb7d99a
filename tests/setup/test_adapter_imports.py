"""The adapter's modules that turn Django values into teapot's depend on each other one way.

``translate`` (values and fields) uses ``fields`` (which teapot class a field becomes) and
``twins`` (where a Django object's twin is); neither of those imports ``translate`` back, not
even inside a function, where a cycle would not show when the modules are imported.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import teapot.adapter

PACKAGE = "teapot.adapter"
ONE_WAY = ("fields", "translate", "twins", "contenttypes")


def adapter_imports() -> dict[str, set[str]]:
    """Each module of teapot.adapter -> the modules of teapot.adapter it imports anywhere."""
    graph = {}
    for path in Path(teapot.adapter.__file__).parent.glob("*.py"):
        name = path.stem
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module == PACKAGE:
                    found |= {f"{PACKAGE}.{alias.name}" for alias in node.names}
                else:
                    found.add(node.module)
        graph[name] = {d.removeprefix(PACKAGE + ".") for d in found if d.startswith(PACKAGE + ".")} - {name}
    return graph


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), list(graph.get(start, ()))
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(graph.get(name, ()))
    return seen


@pytest.mark.parametrize("module", ONE_WAY)
def test_no_module_reaches_itself_through_its_imports(module):
    graph = adapter_imports()
    assert module in graph
    assert module not in reachable(graph, module)


def test_translate_is_above_fields_and_twins():
    graph = adapter_imports()
    assert {"fields", "twins"} <= graph["translate"]
    assert "translate" not in reachable(graph, "fields") | reachable(graph, "twins")


@pytest.mark.parametrize("module", ONE_WAY)
def test_each_module_imports_first_in_a_fresh_interpreter(module):
    result = subprocess.run(
        [sys.executable, "-c", f"import {PACKAGE}.{module}"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
