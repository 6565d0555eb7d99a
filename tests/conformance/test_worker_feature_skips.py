"""The conformance worker skips the tests the backend's features tell Django's runner to skip
(``django_test_skips``) on that database. Run in a process of its own on SQLite."""

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """\
    import json, sqlite3, sys
    sys.path.insert(0, sys.argv[1])
    import teapot

    teapot.setup({"default": {"ENGINE": "teapot.backends.aiosqlite", "NAME": ":memory:"}})
    from tools.conformance import worker

    skips = worker.feature_skips()
    expected = sorted(worker.feature_expected_failures())
    print(json.dumps({"skips": skips, "expected": expected, "old_json_paths": sqlite3.sqlite_version_info < (3, 47)}))
    """
)


def test_worker_skips_what_the_sqlite_features_skip():
    import json

    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(ROOT)], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout)
    skips = out["skips"]
    rounding = "model_fields.test_decimalfield.DecimalFieldTests.test_fetch_from_db_without_float_rounding"
    assert skips[rounding] == "SQLite stores values rounded to 15 significant digits."
    json_paths = "model_fields.test_jsonfield.TestQuerying.test_lookups_special_chars_double_quotes"
    assert (json_paths in skips) == out["old_json_paths"]
    # Marked expectedFailure, as Django's runner marks them.
    assert out["expected"] == ["expressions.tests.FTimeDeltaTests.test_mixed_comparisons1"]
