#!/usr/bin/env python3
"""Generate the async ``teapot`` package from the pinned Django sdist.

    python tools/rename_fork.py                  # generate into ./teapot
    python tools/rename_fork.py --check          # regenerate in a temp folder, compare the tree and
                                                 # tools/codemod/colouring.lock, exit 0 if both agree
    python tools/rename_fork.py --update-lock    # also rewrite tools/codemod/colouring.lock
    python tools/rename_fork.py --report r.json  # also write the report as JSON
    python tools/rename_fork.py --source PATH    # a Django sdist (.tar.gz), or a folder holding django/

The pin lives in upstream.lock; the rules in tools/codemod/.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):
    # Run as a file: import the tools from the repository root (tools.codemod...), as
    # `python -m tools.rename_fork` does, instead of from tools/ itself.
    sys.path[0] = str(ROOT)

from tools.codemod.colouring_lock import LOCK, check_lock, write_lock  # noqa: E402
from tools.codemod.pin import Pin, PinError, check_tools, open_source  # noqa: E402
from tools.codemod.pipeline import GenerationError, compare_trees, generate, write_report  # noqa: E402

DEFAULT_OUT = ROOT / "teapot"


def print_report(report: dict, out=sys.stdout) -> None:
    print(f"teapot fork from Django {report['django']} in {report['seconds']} s", file=out)
    for key in ("files", "type stubs", "functions coloured", "coroutines", "async generators", "overrides", "keep sync"):
        print(f"  {key:<40} {report[key]}", file=out)
    for key, value in report["counts"].items():
        print(f"  {key:<40} {value}", file=out)
    for warning in report["warnings"]:
        print(f"  warning: {warning}", file=out)
    if report["unresolved sync callers"]:
        print(f"  {len(report['unresolved sync callers'])} sync callers of async code (need an override):", file=out)
        for line in report["unresolved sync callers"]:
            print(f"    {line}", file=out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", type=Path, help="Django sdist or source folder (default: the pinned sdist)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the teapot package folder to write or check")
    parser.add_argument("--check", action="store_true", help="regenerate into a temp folder and compare with --out")
    parser.add_argument("--report", type=Path, help="write the report as JSON here")
    parser.add_argument("--lock", type=Path, default=LOCK, help="the colouring lock file to check or write")
    parser.add_argument("--update-lock", action="store_true", help="write the computed I/O colouring to the lock file")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)

    pin = Pin.load()
    try:
        check_tools(pin)
        with tempfile.TemporaryDirectory() as work:
            source_root = open_source(pin, args.source, Path(work) / "src")
            if args.check:
                fresh = Path(work) / "teapot"
                fresh.mkdir()
                report = generate(source_root, fresh, pin)
                differences = compare_trees(fresh, args.out)
            else:
                report = generate(source_root, args.out, pin)
                differences = None
    except (PinError, GenerationError, ValueError, KeyError) as exc:
        print(f"rename_fork: {exc}", file=sys.stderr)
        return 2
    if args.report:
        write_report(report, args.report)
    if not args.quiet:
        print_report(report)
    if args.update_lock:
        write_lock(report["coloured"], args.lock)
        if not args.quiet:
            print(f"rename_fork: wrote the colouring of {len(report['coloured'])} functions to {args.lock}")
    if differences is None:
        return 0
    failed = False
    if differences:
        print(f"rename_fork --check: {args.out} differs from a fresh generation:", file=sys.stderr)
        for line in differences[:50]:
            print(f"  {line}", file=sys.stderr)
        print("  regenerate with: python tools/rename_fork.py", file=sys.stderr)
        failed = True
    else:
        print(f"rename_fork --check: {args.out} is identical to a fresh generation")
    if not check_lock(report["coloured"], args.lock):
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
