#!/usr/bin/env python3
"""Move the pin (upstream.lock) to another Django release and regenerate the fork.

    python tools/sync_upstream.py --to 5.2.20              # check, switch, regenerate, test, CHANGELOG
    python tools/sync_upstream.py --to 5.2.20 --dry-run    # check and report only; writes nothing
    python tools/sync_upstream.py --to 5.2.99 --sdist django-patched.tar.gz --dry-run

First, in a temporary folder: the sdist is looked up on the package index, downloaded into the
cache (~/.cache/teapot or $TEAPOT_CACHE_DIR) and checked against the sha256 the index publishes
(--sdist takes a local file instead, unverified); the fork is generated from it and compiled.
The report lists the upstream files changed within the pruned closure (lines and definitions
touched), the overrides whose upstream code changed, the rules that no longer match, and the
functions the I/O colouring now finds (or no longer finds), as lines of the diff of
tools/codemod/colouring.lock.

Then, unless --dry-run and only if every check passed: the generated tree is replaced, the pin
is written (upstream.lock and tools/codemod/colouring.lock, with DJANGO_VERSION in teapot/__init__.py, the reference Django of
the test extra in pyproject.toml and the README's mentions), the tests run, and CHANGELOG.md
gets an entry under "Unreleased".

Tests after the switch: by default a quick run on SQLite with this interpreter,
`python -m pytest -q tests/codemod tests/orm tests/connections tests/streams tests/backends`
(a few minutes; the type-matrix tests compare with
the installed Django, so install the new release first: pip install django==VERSION);
--full-tests runs the project's full command, `bash tools/test.sh` (fresh venv, all three
databases); --skip-tests runs none.

An override whose upstream code changed is a review, not something to switch past: the build
refuses an override whose recorded hash no longer matches, so the pin stays where it is. Read
the diff in the report, adapt the override if needed, record the new hash it shows
(upstream="..."), and run the command again.

Exit codes:
  0  done (with --dry-run: the release can be taken)
  1  switched, but the tests failed (no CHANGELOG entry; the report says how to go back)
  2  the release cannot be taken, the pin is unchanged: not found or not verified, a rule no
     longer matches, an override's target has disappeared, or the generated code does not compile
  3  review needed, the pin is unchanged: upstream changed code under an override
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):
    # Run as a file: import the tools from the repository root (tools.codemod...), as
    # `python -m tools.sync_upstream` does, instead of from tools/ itself.
    sys.path[0] = str(ROOT)

from tools.codemod.sync import sync_upstream  # noqa: E402


def print_report(report: dict, out=sys.stdout) -> None:
    p = lambda *parts: print(*parts, file=out)  # noqa: E731
    source, target = report["from"], report["to"]
    p(f"sync_upstream: Django {source['version']} -> {target['version']}")
    if "sha256" in target:
        p(f"  sdist      {target['sdist']} sha256 {target['sha256']}")
        p(f"             {target['source']}")
    closure = report.get("closure")
    if closure:
        files = closure["files changed"]
        p(
            f"  closure    {closure['modules']['after']} modules ({closure['modules']['before']} before); "
            f"{len(files)} files changed upstream within it, "
            f"{closure['files changed outside the closure']} outside it"
        )
        for f in files:
            touched = f": {', '.join(f['definitions'])}" if f["definitions"] else ""
            note = "" if f["generated"] else " [hand-written in teapot, not generated]"
            p(f"    {f['status']:<8} {f['path']} (+{f['lines added']} -{f['lines removed']}){touched}{note}")
    overrides = report.get("overrides")
    if overrides:
        changed = overrides["upstream changed"]
        p(f"  overrides  {overrides['count']} overrides replace upstream code; it changed under {len(changed)}")
        for ov in changed:
            p(f"    {ov['status']}: {ov['target']} ({ov['source']})")
            p(f"      recorded {ov['recorded hash']}, pinned {ov['pinned hash']}, new {ov['new hash']}")
            for line in ov["diff"]:
                p(f"      | {line}")
    if "rules unmatched" in report:
        unmatched = report["rules unmatched"]
        p(f"  rules      {'all match' if not unmatched else f'{len(unmatched)} no longer match'}")
        for rule in unmatched:
            p(f"    {rule}")
    colouring = report.get("io colouring")
    if colouring:
        p(
            f"  colouring  {colouring['coloured after']} I/O functions ({colouring['coloured before']} before); "
            f"{len(colouring['new'])} new, {len(colouring['no longer coloured'])} no longer coloured, "
            f"{len(colouring['colour changed'])} changed colour"
        )
        for qual, why in colouring["new"].items():
            p(f"    new: {qual} ({why})")
        for qual in colouring["no longer coloured"]:
            p(f"    no longer coloured: {qual}")
        for qual, change in colouring["colour changed"].items():
            p(f"    colour changed: {qual} ({change})")
        lock = colouring.get("lock")
        if lock:
            note = "rewritten on switching" if lock["changes"] else "unchanged"
            p(f"  colouring.lock  {lock['summary']} ({note})")
            for line in lock["changes"]:
                p(f"    {line}")
    if report.get("unresolved sync callers"):
        p(f"  {len(report['unresolved sync callers'])} sync callers of async code (need an override):")
        for line in report["unresolved sync callers"]:
            p(f"    {line}")
    generated = report.get("generated files")
    if generated:
        differing = generated["differing from the current tree"]
        p(
            f"  generated  {generated['count']} files, all compile; {len(differing)} differ from the current tree "
            f"(and {generated['differing in the header only']} in the release their header names only)"
        )
        for line in differing:
            p(f"    {line}")
    for problem in report.get("problems", []):
        p(f"  problem: {problem}")
    for item in report.get("review", []):
        p(f"  review: {item}")
    if "tests" in report:
        tests = report["tests"]
        p(f"  tests      {tests if isinstance(tests, str) else ('passed' if tests['passed'] else 'FAILED') + ': ' + tests['command']}")
    if report.get("changelog"):
        p("  CHANGELOG.md:")
        for line in report["changelog"].splitlines():
            p(f"    {line}")
    p(f"  result     {report['result']}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--to", required=True, metavar="VERSION", help="the Django release to move to, e.g. 5.2.20")
    parser.add_argument("--dry-run", action="store_true", help="check and report only; write nothing")
    parser.add_argument("--sdist", type=Path, metavar="PATH", help="a local Django sdist to take instead of the index's")
    tests = parser.add_mutually_exclusive_group()
    tests.add_argument("--full-tests", action="store_const", dest="tests", const="full", help="run bash tools/test.sh after switching")
    tests.add_argument("--skip-tests", action="store_const", dest="tests", const="none", help="run no tests after switching")
    parser.add_argument("--report", type=Path, metavar="PATH", help="also write the report as JSON")
    parser.add_argument("--diff", type=Path, metavar="PATH", help="write the upstream diff of the closure files here")
    args = parser.parse_args(argv)

    code, sync = sync_upstream(args.to, sdist=args.sdist, dry_run=args.dry_run, tests=args.tests or "quick")
    if args.report:
        args.report.write_text(json.dumps({"exit code": code, **sync.report}, indent=2) + "\n")
    if args.diff:
        args.diff.write_text("".join(sync.diff))
    print_report(sync.report)
    return code


if __name__ == "__main__":
    sys.exit(main())
