"""A standalone teapot project taken through Django's migration commands, on a database of
its own per test: an SQLite file, or a server database dropped and created again.

The tests run the ``teapot`` command line in subprocesses, as a user would; this process
never configures teapot. The server is chosen like the ORM tests' (``--db`` or
``TEAPOT_TEST_DATABASE``), and the servers' URLs come from the same variables.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.database.databases import chosen, other_database
from tools.conformance.worker import recreate_database

HERE = Path(__file__).parent
PROJECT = HERE / "project"
ROOT = HERE.parents[1]


@dataclass
class Project:
    """A copy of tests/migrations/project in a temporary folder, configured for one database."""

    path: Path
    database: str  # sqlite, postgresql or mysql
    url: str

    def teapot(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run ``teapot --settings settings ARGS`` in the project's folder."""
        run = subprocess.run(
            [sys.executable, "-m", "teapot", "--settings", "settings", *args],
            cwd=self.path, env=self._env(), capture_output=True, text=True, timeout=300,
        )
        if check:
            assert run.returncode == 0, f"teapot {' '.join(args)} failed:\n{run.stdout}\n{run.stderr}"
        return run

    def tables(self) -> dict[str, list[str]]:
        """The project's tables and their columns, read by teapot's introspection."""
        return json.loads(self.run_script((HERE / "inspect_schema.py").read_text()))

    def run_script(self, code: str) -> str:
        """Run a Python script in the project's folder; its output."""
        script = self.path / "script.py"
        script.write_text(code)
        run = subprocess.run(
            [sys.executable, str(script)], cwd=self.path, env=self._env(), capture_output=True, text=True, timeout=120
        )
        assert run.returncode == 0, run.stderr
        return run.stdout

    def migration_files(self, app: str) -> list[str]:
        return sorted(p.name for p in (self.path / app / "migrations").glob("0*.py"))

    def write(self, relative: str, text: str) -> None:
        (self.path / relative).write_text(text)

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TEAPOT_", "DJANGO_"))}
        env["PYTHONPATH"] = os.pathsep.join([str(self.path), str(ROOT)])
        env["TEAPOT_PROJECT_DATABASE_URL"] = self.url
        return env


@pytest.fixture
def project(request, tmp_path) -> Project:
    name = chosen(request.config.getoption("--db"))
    path = tmp_path / "project"
    shutil.copytree(PROJECT, path, ignore=shutil.ignore_patterns("__pycache__"))
    if name == "sqlite":
        url = f"sqlite:///{tmp_path / 'project.sqlite3'}"
    else:
        url = other_database(name, "_migrations")
        asyncio.run(recreate_database(name, url))
    return Project(path, name, url)
