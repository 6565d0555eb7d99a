"""Django's own ORM test suite, transformed to async, run against teapot.

    python tools/django_suite.py --backend sqlite|postgresql|mysql [--apps basic lookup ...]
        [--json out.json] [--jobs N] [--show failed|errored] [--build-only]

Builds the transformed apps into build/conformance/apps/ (tools/conformance/transform.py),
runs each app in a process of its own (tools/conformance/worker.py) with the aliases
"default" and "other" (PostgreSQL/MariaDB: databases teapot_conformance and
teapot_conformance_other, or --db-prefix's, recreated per app; SQLite: temporary files), and prints per app:
run, passed, failed, errored, skipped, excluded, and the score: the tests teapot passes among
those Django passes on the same database, divided by Django's passed count
(tools/conformance/baseline/, measured with Django's own runner). Exits 1 when an app's worker crashed.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

APPS = (
    "basic queries lookup aggregation expressions annotations many_to_one many_to_many one_to_one "
    "m2m_through select_related prefetch_related delete update get_or_create bulk_create transactions "
    "transaction_hooks model_fields ordering defer custom_managers model_inheritance raw_query timezones "
    "select_for_update async db_functions constraints composite_pk generic_relations filtered_relation "
    "expressions_window backends signals known_related_objects"
).split()
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
        wanted += [d for d in manifest["dependencies"] if d not in done]


def run_app(backend, app, timeout, db_prefix=None):
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.json"
        cmd = [sys.executable, str(ROOT / "tools" / "conformance" / "worker.py"), "--backend", backend, "--app", app, "--json", str(out)]
        if db_prefix:
            cmd += ["--db-prefix", db_prefix]
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
        except subprocess.TimeoutExpired:
            return {"app": app, "crashed": f"timed out after {timeout}s", "results": {}}
        if proc.returncode != 0 or not out.exists():
            return {"app": app, "crashed": (proc.stderr or proc.stdout)[-3000:], "results": {}}
        return json.loads(out.read_text())


def summarize(backend, app, result, base):
    results = result.get("results", {})
    passed_by_django = django_passed(base, backend, app)
    expected = base["passed_count"][backend] if False else None  # noqa: F841
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
    parser.add_argument("--apps", nargs="+", default=APPS)
    parser.add_argument("--json", help="write per-app counts and per-test outcomes here")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--timeout", type=int, default=900, help="seconds per app")
    parser.add_argument("--show", choices=("failed", "errored"), action="append", default=[], help="print those tests' details")
    parser.add_argument(
        "--db-prefix", help="PostgreSQL/MariaDB database names: PREFIX and PREFIX_other (default: teapot_conformance)"
    )
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--no-build", action="store_true", help="reuse build/conformance/apps")
    parser.add_argument("--subset", action="store_true", help="the CI subset: the apps of tests/conformance/floor.json")
    parser.add_argument("--floor", help="fail when an app scores below its floor in this JSON file ({backend: {app: score}})")
    args = parser.parse_args(argv)
    if args.subset:
        floor_file = Path(args.floor or ROOT / "tests" / "conformance" / "floor.json")
        args.apps = json.loads(floor_file.read_text())["apps"]
    if not args.no_build:
        build(args.apps)
    if args.build_only:
        return 0
    base = baseline()
    # Apps that run at the same time on a server need databases of their own: one set per job
    # (PREFIX, PREFIX_1, ...).
    slots = queue.SimpleQueue()
    prefix = args.db_prefix or "teapot_conformance"
    for slot in range(max(1, args.jobs)):
        slots.put(None if slot == 0 and not args.db_prefix else prefix if slot == 0 else f"{prefix}_{slot}")

    def run_in_slot(app):
        name = slots.get()
        try:
            return run_app(args.backend, app, args.timeout, name)
        finally:
            slots.put(name)

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(run_in_slot, args.apps))
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
