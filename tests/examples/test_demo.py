"""The quick-start demo runs to the end on in-memory SQLite and prints what the ORM did."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_demo_output():
    env = {k: v for k, v in os.environ.items() if k != "TEAPOT_DATABASE_URL"}
    run = subprocess.run(
        [sys.executable, "examples/demo.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines == [
        "authors: 3",
        "over 30: ['Ann', 'Cid']",
        "average age: 35.333333333333336",
        "got: Bob 28",
        "books: [('Dune', 'Ann'), ('Emma', 'Ann')]",
        "books per author: [('Ann', 2), ('Bob', 0), ('Cid', 0)]",
        "deleted with cascade: 3 rows; books left: 0",
    ]
