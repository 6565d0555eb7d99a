"""mypy on the public API: tests/typing/awaited_api.py and tests/typing/user_code.py
type-check with no error, every line of tests/typing/forgotten_awaits.py marked
``# E: <code>: <message>`` gives that error and no other line gives one, and the stubs and the
annotated modules are free of errors themselves.

mypy runs from the repository root with tests/typing/mypy.ini: teapot is read through its
stubs and annotations, errors inside its other modules are not reported (as for an installed
package), and the check is strict, as a project that types its own code would run it.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFIG = Path(__file__).with_name("mypy.ini")
STUBS = ROOT / "tools" / "codemod" / "stubs"
CLEAN = "tests.typing.awaited_api"
USER_CODE = "tests.typing.user_code"
MISTAKES = "tests.typing.forgotten_awaits"
# The modules whose types users see: teapot's own annotated modules, and the generated modules
# that have a stub.
TYPED = ["teapot", "teapot.configure"] + sorted(
    "teapot." + stub.relative_to(STUBS).with_suffix("").as_posix().removesuffix("/__init__").replace("/", ".")
    for stub in STUBS.rglob("*.pyi")
)
ERROR = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): error: (?P<message>.*?)\s+\[(?P<code>[a-z-]+)\]$")
MARKER = re.compile(r"#\s*E:\s*(?P<code>[a-z-]+):\s*(?P<message>.+?)\s*$")


def module_path(module: str) -> str:
    return module.replace(".", "/") + ".py"


@pytest.fixture(scope="module")
def errors(tmp_path_factory) -> dict[str, list[tuple[int, str, str]]]:
    """The errors mypy reports, by file: {path: [(line, code, message), ...]}."""
    modules = [arg for module in [CLEAN, USER_CODE, MISTAKES, *TYPED] for arg in ("-m", module)]
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(CONFIG), "--cache-dir", str(tmp_path_factory.mktemp("mypy")),
         "--show-error-codes", "--no-pretty", "--no-error-summary", *modules],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    found: dict[str, list[tuple[int, str, str]]] = {}
    for line in run.stdout.splitlines():
        if match := ERROR.match(line):
            found.setdefault(match["path"], []).append((int(match["line"]), match["code"], match["message"]))
        elif line.strip() and ": note: " not in line:
            pytest.fail(f"mypy printed a line this test cannot read:\n{line}\n\n{run.stdout}{run.stderr}")
    # 1: errors found; 0: none. Anything else is mypy failing to run, and so is 1 without an
    # error line (Python's own "No module named mypy" exits with 1 too).
    assert run.returncode in (0, 1), run.stdout + run.stderr
    assert bool(found) == (run.returncode == 1), run.stdout + run.stderr
    return found


def test_the_awaited_api_type_checks(errors):
    assert errors.get(module_path(CLEAN), []) == []


def test_code_around_the_models_type_checks(errors):
    assert errors.get(module_path(USER_CODE), []) == []


def test_forgotten_awaits_are_errors(errors):
    path = module_path(MISTAKES)
    expected = [
        (number, match["code"], match["message"])
        for number, text in enumerate((ROOT / path).read_text().splitlines(), start=1)
        if (match := MARKER.search(text))
    ]
    assert len(expected) >= 15  # the markers were read
    reported = errors.get(path, [])
    assert {(line, code) for line, code, _ in reported} == {(line, code) for line, code, _ in expected}
    for line, code, part in expected:
        messages = [message for at, said, message in reported if (at, said) == (line, code)]
        assert any(part in message for message in messages), (line, part, messages)


def test_nothing_else_has_errors(errors):
    # The stubs, teapot's annotated modules and the test models the samples use.
    samples = {module_path(module) for module in (CLEAN, USER_CODE, MISTAKES)}
    others = {path: found for path, found in errors.items() if path not in samples}
    assert others == {}
