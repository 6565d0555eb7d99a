"""Django's own ORM test suite, transformed to async, run against teapot.

    python tools/django_suite.py --backend sqlite|postgresql|mysql [--apps basic lookup ...]
        [--json out.json] [--jobs N] [--show failed|errored] [--build-only]
    python tools/django_suite.py --backend sqlite --apps migration-group

--apps takes app names and group names: "orm-group" (the 36 ORM apps, the default) and
"migration-group" (migrations, migrations2, migrate_signals, schema, introspection: the
migration engine, schema editor and introspection; kept apart so the ORM total stays
comparable between runs) and "wider-group" (28 more model and query apps: regressions,
custom keys and columns, proxies, signals on many-to-many, Case/When, defaults, serializers,
validation).

Builds the transformed apps into build/conformance/apps/ (tools/conformance/transform.py),
runs each app in a process of its own (python -m tools.conformance.worker) with the aliases
"default" and "other" (PostgreSQL/MariaDB: databases PREFIX_APP and PREFIX_APP_other, PREFIX
from --db-prefix or TEAPOT_CONFORMANCE_DB_PREFIX, default teapot_conformance, recreated per app;
SQLite: temporary files), and prints per app:
run, passed, failed, errored, skipped, excluded, and the score: the tests teapot passes among
those Django passes on the same database, divided by Django's passed count
(tools/conformance/baseline/, measured with Django's own runner). A test that runs longer than
--test-timeout is reported as errored; an app whose worker runs longer than --timeout is killed and
reported as crashed, with the outcomes of the classes it finished. Exits 1 when an app's worker
crashed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):
    # Run as a file: import the tools from the repository root (tools.codemod...), as
    # `python -m tools.django_suite` does, instead of from tools/ itself.
    sys.path[0] = str(ROOT)

APPS = (
    "basic queries lookup aggregation expressions annotations many_to_one many_to_many one_to_one "
    "m2m_through select_related prefetch_related delete update get_or_create bulk_create transactions "
    "transaction_hooks model_fields ordering defer custom_managers model_inheritance raw_query timezones "
    "select_for_update async db_functions constraints composite_pk generic_relations filtered_relation "
    "expressions_window backends signals known_related_objects"
).split()
MIGRATION_APPS = "migrations migrations2 migrate_signals schema introspection".split()
WIDER_APPS = (
    "model_regress custom_columns custom_pk get_earliest_or_latest or_lookups reverse_lookup nested_foreign_keys "
    "null_queries select_related_onetoone select_related_regress many_to_one_null m2m_regress m2m_recursive "
    "m2m_signals m2m_multiple model_inheritance_regress proxy_models update_only_fields expressions_case datatypes "
    "field_defaults generic_relations_regress defer_regress order_with_respect_to unmanaged_models "
    "mutually_referential serializers validation"
).split()
GROUPS = {"orm-group": APPS, "migration-group": MIGRATION_APPS, "wider-group": WIDER_APPS}
BASELINE_DIR = ROOT / "tools" / "conformance" / "baseline"
APPS_DIR = ROOT / "build" / "conformance" / "apps"


def baseline():
    return json.loads((BASELINE_DIR / "django_suite_baseline_tests.json").read_text())


def django_passed(base, backend, app):
    not_ok = base["not_ok"][backend]
    absent = set(base["absent"][backend])
    return {t for t in base["tests"] if t.split(".", 1)[0] == app and t not in not_ok and t not in absent}


def build(apps):
    from tools.conformance.sources import tests_root
    from tools.conformance.transform import build_app, model_attrs

    root = tests_root()
    unknown = [app for app in apps if not (root / app).is_dir()]
    if unknown:
        raise SystemExit(f"not an app of Django's test suite ({root}): {', '.join(unknown)}")
    APPS_DIR.mkdir(parents=True, exist_ok=True)
    wanted = list(dict.fromkeys(apps))
    done = set()
    while wanted:
        app = wanted.pop(0)
        if app in done:
            continue
        manifest = build_app(app, root, APPS_DIR)
        done.add(app)
        for failure, text in manifest["failures"].items():
            print(f"transform failed: {failure}\n{text}", file=sys.stderr)
        wanted += [d for d in manifest["dependencies"] + manifest.get("references", []) if d not in done]


def run_app(backend, app, timeout, test_timeout=None, db_prefix=None):
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.json"
        progress = Path(tmp) / "progress.json"
        cmd = [sys.executable, "-m", "tools.conformance.worker", "--backend", backend, "--app", app]
        cmd += ["--json", str(out), "--progress", str(progress)]
        if test_timeout:
            cmd += ["--test-timeout", str(test_timeout)]
        if db_prefix:
            cmd += ["--db-prefix", db_prefix]
        try:  # from the repository root, where `-m` finds the tools and the transformed tests their shims
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
        except subprocess.TimeoutExpired:
            partial = json.loads(progress.read_text()) if progress.exists() else {}
            return {"app": app, "crashed": f"timed out after {timeout}s ({len(partial)} outcomes kept)", "results": partial}
        if proc.returncode != 0 or not out.exists():
            return {"app": app, "crashed": (proc.stderr or proc.stdout)[-3000:], "results": {}}
        return json.loads(out.read_text())


def summarize(backend, app, result, base):
    results = result.get("results", {})
    passed_by_django = django_passed(base, backend, app)
    counts = dict.fromkeys(("run", "passed", "failed", "errored", "skipped", "excluded"), 0)
    import_errors = [k for k, v in results.items() if v[0] == "import_error"]
    for tid, (outcome, _detail) in results.items():
        if outcome == "import_error":
            continue
        if outcome == "excluded":
            counts["excluded"] += 1
            continue
        counts["run"] += 1
        if outcome in ("passed", "expected_failure"):
            counts["passed"] += 1
        elif outcome in ("failed", "unexpected_success"):
            counts["failed"] += 1
        elif outcome == "errored":
            counts["errored"] += 1
        elif outcome == "skipped":
            counts["skipped"] += 1
    # Tests of modules that did not import: Django's ids under those modules count as errored.
    for module in import_errors:
        missing = [t for t in base["tests"] if t.startswith(module + ".") and t not in results]
        counts["run"] += len(missing)
        counts["errored"] += len(missing)
    ours = {t for t, (o, _d) in results.items() if o in ("passed", "expected_failure")}
    counts["baseline"] = len(passed_by_django)
    counts["matched"] = len(ours & passed_by_django)
    counts["score"] = round(counts["matched"] / len(passed_by_django), 3) if passed_by_django else None
    return counts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "mysql"), default="sqlite")
    parser.add_argument("--apps", nargs="+", default=APPS, help="apps or groups: orm-group (default), migration-group, wider-group")
    parser.add_argument("--json", help="write per-app counts and per-test outcomes here")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--timeout", type=int, default=180, help="seconds per app (its worker is killed then)")
    parser.add_argument("--test-timeout", type=float, default=60, help="seconds per test (reported as errored then)")
    parser.add_argument("--db-prefix", help="server database names: PREFIX_APP, PREFIX_APP_other (default: env TEAPOT_CONFORMANCE_DB_PREFIX or teapot_conformance)")
    parser.add_argument("--show", choices=("failed", "errored"), action="append", default=[], help="print those tests' details")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--no-build", action="store_true", help="reuse build/conformance/apps")
    parser.add_argument("--subset", action="store_true", help="the CI subset: the apps of tests/conformance/floor.json")
    parser.add_argument("--floor", help="fail when an app scores below its floor in this JSON file ({backend: {app: score}})")
    args = parser.parse_args(argv)
    if args.subset:
        floor_file = Path(args.floor or ROOT / "tests" / "conformance" / "floor.json")
        args.apps = json.loads(floor_file.read_text())["apps"]
    args.apps = list(dict.fromkeys(app for name in args.apps for app in GROUPS.get(name, [name])))
    if not args.no_build:
        build(args.apps)
    if args.build_only:
        return 0
    base = baseline()
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(lambda app: run_app(args.backend, app, args.timeout, args.test_timeout, args.db_prefix), args.apps))
    header = f"{'app':<24}{'run':>6}{'passed':>8}{'failed':>8}{'errored':>8}{'skipped':>8}{'excluded':>9}{'django':>8}{'score':>7}"
    print(f"backend: {args.backend}")
    print(header)
    totals = dict.fromkeys(("run", "passed", "failed", "errored", "skipped", "excluded", "baseline", "matched"), 0)
    report = {"backend": args.backend, "apps": {}}
    crashed = []
    for app, result in zip(args.apps, results):
        if result.get("crashed"):
            crashed.append(app)
            print(f"{app:<24} CRASHED: {result['crashed'].strip().splitlines()[-1] if result['crashed'].strip() else ''}")
        counts = summarize(args.backend, app, result, base)
        for key in totals:
            totals[key] += counts[key]
        report["apps"][app] = {"counts": counts, "results": result.get("results", {}), "crashed": result.get("crashed")}
        if not result.get("crashed"):
            print(
                f"{app:<24}{counts['run']:>6}{counts['passed']:>8}{counts['failed']:>8}{counts['errored']:>8}"
                f"{counts['skipped']:>8}{counts['excluded']:>9}{counts['baseline']:>8}{counts['score'] if counts['score'] is not None else '-':>7}"
            )
        problems = result.get("table_problems") or []
        if problems:  # tests of these models error; say why once
            print(f"{'':<24}{len(problems)} tables or statements not created, first: {problems[0][:160]}")
        for tid, (outcome, detail) in sorted(result.get("results", {}).items()):
            if (outcome == "failed" and "failed" in args.show) or (outcome in ("errored", "import_error") and "errored" in args.show):
                print(f"--- {outcome}: {tid}\n{detail.strip()[-1500:]}\n")
    score = round(totals["matched"] / totals["baseline"], 3) if totals["baseline"] else None
    totals["score"] = score
    report["totals"] = totals
    print(
        f"{'total':<24}{totals['run']:>6}{totals['passed']:>8}{totals['failed']:>8}{totals['errored']:>8}"
        f"{totals['skipped']:>8}{totals['excluded']:>9}{totals['baseline']:>8}{score if score is not None else '-':>7}"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))
    fell = []
    if args.floor:
        floors = json.loads(Path(args.floor).read_text()).get(args.backend, {})
        for app in args.apps:
            score = report["apps"][app]["counts"]["score"]
            if app in floors and (score is None or score < floors[app]):
                fell.append(f"{app}: {score} < floor {floors[app]}")
        for line in fell:
            print("score fell:", line)
    return 1 if crashed or fell else 0


if __name__ == "__main__":
    sys.exit(main())
