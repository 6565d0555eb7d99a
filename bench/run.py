"""Run the benchmark: one command, from the repository root.

    .venv-dev/bin/python bench/run.py                       # everything, 5 repetitions
    .venv-dev/bin/python bench/run.py --scale 0.05 --reps 1 # a smoke run of a minute or two
    .venv-dev/bin/python bench/run.py --backends postgresql --workloads get_by_pk,filter_100 --out results.md

For each backend: recreate and seed the tables, then for each repetition and workload run
teapot and its baseline (the raw driver, or Django's sync ORM) one after the other, each in a
fresh process (bench/worker.py), alternating which goes first. After a write workload the
rows it added are counted against what it should have written, then deleted. The tables
(bench/report.py) go to stdout and to --out; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import platform
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from bench import config, schema  # noqa: E402
from bench.report import BASELINES, Measurement, Row, micros_per_operation, table, throughput  # noqa: E402
from bench.worker import RESULT_PREFIX  # noqa: E402
from bench.workloads import DRIVER, ORM, WORKLOADS, Workload, inputs_for  # noqa: E402
from bench.workloads_django import unavailable_reason  # noqa: E402

WORKER_TIMEOUT = 900  # seconds; a worker still running then is reported as failed


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="teapot against the raw async drivers and against Django's sync ORM.")
    parser.add_argument("--reps", type=int, default=5, help="repetitions; medians are taken over them (default 5)")
    parser.add_argument("--backends", default=",".join(config.BACKENDS),
                        help="comma-separated: sqlite,postgresql,mysql (default all three)")
    parser.add_argument("--workloads", default="all",
                        help="comma-separated workload names, or 'driver' / 'orm' for a group (default all)")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="multiplies table sizes and operation counts (0.05 for a smoke run)")
    parser.add_argument("--out", help="also write the Markdown report to this file")
    args = parser.parse_args(argv)
    args.backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = [b for b in args.backends if b not in config.BACKENDS]
    if unknown:
        parser.error(f"unknown backend(s) {', '.join(unknown)}; choose from {', '.join(config.BACKENDS)}")
    args.workloads = chosen_workloads(parser, args.workloads)
    if args.reps < 1 or args.scale <= 0:
        parser.error("--reps must be at least 1 and --scale above 0")
    return args


def chosen_workloads(parser, spec: str) -> list[Workload]:
    names = [n.strip() for n in spec.split(",") if n.strip()]
    picked = []
    for name in names:
        if name == "all":
            picked += WORKLOADS.values()
        elif name in (DRIVER, ORM):
            picked += [w for w in WORKLOADS.values() if w.group == name]
        elif name in WORKLOADS:
            picked.append(WORKLOADS[name])
        else:
            parser.error(f"unknown workload {name!r}; choose from {', '.join(WORKLOADS)}, driver, orm, all")
    return list(dict.fromkeys(picked))


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_worker(system: str, backend: str, workload: Workload, scale: float, repetition: int) -> Measurement:
    job = {"system": system, "backend": backend, "workload": workload.name, "scale": scale, "repetition": repetition}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bench.worker", json.dumps(job)],
            cwd=ROOT, capture_output=True, text=True, timeout=WORKER_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        return Measurement(error=f"no answer within {WORKER_TIMEOUT} s")
    answers = [line for line in done.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    if not answers:
        tail = done.stderr.strip().splitlines()[-1:] or [f"exit status {done.returncode}"]
        return Measurement(error=f"worker crashed: {tail[0]}")
    answer = json.loads(answers[-1][len(RESULT_PREFIX):])
    if "error" in answer:
        progress(done.stderr.rstrip())
        return Measurement(error=answer["error"])
    if "skipped" in answer:
        return Measurement(error=f"skipped: {answer['skipped']}")
    return Measurement(result=answer)


def check_written_rows(backend: str, workload: Workload, sizes: config.Sizes, repetition: int,
                       measurement: Measurement) -> None:
    """After a write workload: what it wrote must be what it was asked to write (a second
    check, besides the count the worker compared); then the new rows go."""
    if workload.new_item_rows is not None:
        timed, warm = inputs_for(workload, sizes, repetition)
        expected = workload.new_item_rows(timed) + workload.new_item_rows(warm)
        written = asyncio.run(schema.written_item_rows(backend, sizes))
        asyncio.run(schema.delete_written_rows(backend, sizes))
        if measurement.ok and written != expected:
            measurement.error = f"wrote {written} rows to bench_item, expected {expected}"
    if workload.keeps_book_tags:
        links = asyncio.run(schema.book_tag_links(backend))
        if measurement.ok and links != 2 * sizes.books:
            measurement.error = f"bench_book_tags holds {links} rows after add() and remove(), not {2 * sizes.books}"


def run_backend(backend: str, workloads: list[Workload], reps: int, sizes: config.Sizes) -> tuple[list[str], bool]:
    """Seed, measure, and return the backend's section of the report, and whether every
    measurement worked."""
    progress(f"[{backend}] creating and seeding the tables (scale {sizes.scale})")
    asyncio.run(schema.create_and_seed(backend, sizes))
    django_missing = unavailable_reason(backend)
    rows = {w.name: Row(w) for w in workloads if not (w.group == ORM and django_missing)}
    for repetition in range(reps):
        for row in rows.values():
            systems = ["teapot", BASELINES[row.workload.group]]
            if repetition % 2:  # alternate which system goes first
                systems.reverse()
            for system in systems:
                measurement = run_worker(system, backend, row.workload, sizes.scale, repetition)
                if row.workload.writes:
                    check_written_rows(backend, row.workload, sizes, repetition, measurement)
                (row.teapot if system == "teapot" else row.baseline).append(measurement)
                where = f"[{backend}] rep {repetition + 1}/{reps} {row.workload.name:<20} {system:<7}"
                progress(f"{where} {summary(row.workload, measurement)}")
    all_worked = not any(row.failures("") for row in rows.values())
    return section(backend, list(rows.values()), workloads, django_missing), all_worked


def summary(workload: Workload, measurement: Measurement) -> str:
    if not measurement.ok:
        return f"FAILED: {measurement.error}"
    rate, per_op = throughput(workload, measurement.result), micros_per_operation(measurement.result)
    return f"{rate:,.0f} {workload.unit}, {per_op:,.1f} µs/{workload.operation}"


def section(backend: str, rows: list[Row], workloads: list[Workload], django_missing: str | None) -> list[str]:
    lines = [f"## {backend}", ""]
    driver_rows = [r for r in rows if r.workload.group == DRIVER]
    if driver_rows:
        lines += ["### teapot against the raw driver", "", table(DRIVER, driver_rows), ""]
    if any(w.group == ORM for w in workloads):
        lines += ["### teapot against Django's sync ORM", ""]
        if django_missing:
            lines += [f"Skipped: {django_missing}.", ""]
        else:
            lines += [table(ORM, [r for r in rows if r.workload.group == ORM]), ""]
    return lines


def versions() -> str:
    from importlib import metadata

    found = []
    for package in ("teapot-orm", "Django", "aiosqlite", "asyncpg", "asyncmy", "psycopg"):
        try:
            found.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            pass
    return ", ".join(found)


def header(args) -> list[str]:
    return [
        "# teapot benchmark",
        "",
        f"{datetime.datetime.now().isoformat(timespec='seconds')}; {platform.machine()}, {os.cpu_count()} CPUs, "
        f"{platform.system()} {platform.release()}; Python {platform.python_version()}; {versions()}.",
        f"Repetitions: {args.reps}; scale: {args.scale}. Medians over the repetitions; the ratio is "
        "teapot's throughput divided by the baseline's in the same repetition (above 1: teapot is faster).",
        "",
    ]


def main(argv=None) -> int:
    args = parse_args(argv)
    sizes = config.Sizes(args.scale)
    lines = header(args)
    all_worked = True
    for backend in args.backends:
        backend_lines, backend_worked = run_backend(backend, args.workloads, args.reps, sizes)
        lines += backend_lines
        all_worked = all_worked and backend_worked
    report = "\n".join(lines).rstrip() + "\n"
    print(report)
    if args.out:
        with open(args.out, "w") as out:
            out.write(report)
    return 0 if all_worked else 1  # a failed measurement fails the command


if __name__ == "__main__":
    sys.exit(main())
