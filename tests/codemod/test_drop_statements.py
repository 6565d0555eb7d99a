"""drop_statements: delete top-level statements named by the hash of their code."""

import libcst as cst

from tests.codemod.harness import MODULE, dd, prepare

from tools.codemod.rules.drop_statements import DropStatements, statement_hash

SOURCE = dd("""
    import os

    try:
        import psycopg as Database
    except ImportError:
        raise RuntimeError("no driver")

    if Database.__version__ < "3":
        raise RuntimeError("too old")


    def connect():
        return Database.connect()
    """)


def hashes(source):
    return [statement_hash(stmt) for stmt in cst.parse_module(source).body]


def run(entries):
    run = prepare(SOURCE, rules={"drop_statements": entries}, graph=False)
    rule = DropStatements(run.ctx)
    return run.apply(rule), rule


def test_the_named_statements_go_and_the_rest_stay_verbatim():
    h = hashes(SOURCE)
    code, rule = run([{"module": MODULE, "hash": h[1], "why": "driver import"}, {"module": MODULE, "hash": h[2]}])
    assert code == dd("""
        import os


        def connect():
            return Database.connect()
        """)
    assert rule.unused() == []


def test_a_hash_that_matches_nothing_is_reported():
    # Upstream changed the statement: its hash moved, and the build must stop rather than
    # keep the driver import silently.
    code, rule = run([{"module": MODULE, "hash": "0123456789ab", "why": "driver import"}])
    assert code == SOURCE
    assert rule.unused() == [f"drop_statements {MODULE} 0123456789ab (driver import)"]


def test_another_modules_entry_leaves_this_module_alone():
    h = hashes(SOURCE)
    code, rule = run([{"module": "django.db.other", "hash": h[1]}])
    assert code == SOURCE
    assert len(rule.unused()) == 1


def test_the_hash_ignores_the_blank_lines_before_a_statement():
    spaced = "import os\n\n\n\nimport sys\n"
    tight = "import os\nimport sys\n"
    assert hashes(spaced) == hashes(tight)
