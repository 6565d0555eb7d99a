"""Move the pin to another Django release, after showing what the move changes (the release
steps; what changed upstream is worked out by upstream_diff.py, the overrides to review by
override_review.py, the generation by pipeline.py).

Everything is worked out in a temporary folder first: the new snapshot is fetched and
verified, diffed with the pinned one within the pruned closure, checked against the recorded
hashes of the overrides, generated, compiled and coloured. The repository is only written when
all of that went through, so a release the codemod cannot take leaves the pin as it was.
"""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .colouring_lock import LOCK as COLOURING_LOCK
from .colouring_lock import lock_differences, read_lock, summary
from .colouring_lock import write_lock as write_colouring_lock
from .pin import (
    LOCK_FILE,
    Pin,
    PinError,
    cache_dir,
    check_tools,
    fetch_sdist,
    open_source,
    published_pin,
    sdist_name,
    sha256_of,
    snapshot_version,
    write_lock,
)
from .pipeline import (
    GenerationError,
    _remove_empty_dirs,
    colouring_report,
    compare_trees,
    compile_errors,
    generate,
    generated_paths,
    load_tables,
    prepare,
)
from .override_review import override_changes, override_targets
from .upstream_diff import closure_changes

ROOT = LOCK_FILE.parent

# Exit codes (documented in tools/sync_upstream.py --help).
OK = 0
TESTS_FAILED = 1
CANNOT_TAKE = 2
REVIEW_NEEDED = 3

# Where the pinned version is written besides upstream.lock, as regular expressions around
# the version. Each must be found for the current version, or the sync stops before writing:
# a mention left behind would make the type-matrix tests compare with the wrong Django.
VERSION_MENTIONS = {
    "teapot/__init__.py": r'^DJANGO_VERSION = "{v}"$',  # what the type-matrix test checks
    "pyproject.toml": r'"django=={v}"',  # the reference Django of the test extra
    "README.md": r"(?<![\w.]){v}(?!\w|\.\d)",  # every mention of the pinned release
}

QUICK_TESTS = [
    "-m", "pytest", "-q", "-p", "no:cacheprovider",
    "tests/codemod", "tests/orm", "tests/connections", "tests/streams", "tests/backends",
    "tests/testing/test_testing_cases.py",
    # it runs this tool three more times: a check of the tool, not of the new snapshot
    "--ignore=tests/codemod/test_sync_upstream.py",
]


class SyncError(RuntimeError):
    """The new release cannot be fetched, verified or read; nothing was written."""


@dataclass
class Sync:
    """One move of the pin: the pins, what was found, and the report built from them."""

    current: Pin
    target: Pin | None = None
    report: dict = field(default_factory=dict)
    diff: list[str] = field(default_factory=list)  # unified diff of the closure files, for --diff
    problems: list[str] = field(default_factory=list)  # the new snapshot cannot be taken
    review: list[str] = field(default_factory=list)  # overrides to look at before taking it
    colouring: dict | None = None  # the new snapshot's colouring, for the lock file


# -- the target release

def target_pin(current: Pin, version: str, sdist: Path | None) -> tuple[Pin, Path, str]:
    """The pin to move to, the verified sdist and where its sha256 comes from."""
    if sdist is not None:
        if not sdist.is_file():
            raise SyncError(f"{sdist} is not a file")
        pin = Pin(version, sdist_name(version), sha256_of(sdist), dict(current.tools))
        return pin, sdist, f"local file {sdist} (not checked against a package index)"
    try:
        pin, index = published_pin(version, current.tools)
        path = fetch_sdist(pin)
    except PinError as exc:
        raise SyncError(str(exc)) from None
    return pin, path, f"sha256 published by {index}, download verified"


# -- generation and colouring

def old_colouring(old_root: Path, pin: Pin) -> dict[str, str] | str:
    """The colouring of the pinned snapshot with today's rules, or why it cannot be had."""
    try:
        return colouring_report(prepare(old_root, pin, review=True).graph)
    except (GenerationError, ValueError, KeyError) as exc:
        return f"not available: {exc}"


def colouring_changes(before: dict[str, str] | str, after: dict[str, str]) -> dict:
    if isinstance(before, str):
        return {"coloured before": before, "coloured after": len(after), "new": {}, "no longer coloured": [], "colour changed": {}}

    def colour(entry):
        return entry.split(":", 1)[0]

    return {
        "coloured before": len(before),
        "coloured after": len(after),
        "new": {q: after[q] for q in sorted(set(after) - set(before))},
        "no longer coloured": sorted(set(before) - set(after)),
        "colour changed": {
            q: f"{colour(before[q])} -> {after[q]}"
            for q in sorted(set(before) & set(after)) if colour(before[q]) != colour(after[q])
        },
    }


def planned_mentions(root: Path, old: str, new: str) -> dict[Path, str]:
    """The new text of every file that names the pinned version; SyncError if one does not."""
    texts = {}
    for rel, pattern in VERSION_MENTIONS.items():
        path = root / rel
        text = path.read_text()
        regex = re.compile(pattern.format(v=re.escape(old)), re.M)
        if not regex.search(text):
            raise SyncError(f"{rel} does not mention the pinned version {old} where expected ({pattern.format(v=old)})")
        texts[path] = regex.sub(lambda m: m.group(0).replace(old, new), text)
    return texts


def analyse(sync: Sync, old_root: Path, new_root: Path, out_dir: Path, repo: Path) -> None:
    """Fill in the report; record problems and overrides to review. Writes only ``out_dir``."""
    tables = load_tables(sync.target)
    closure, diff = closure_changes(old_root, new_root, tables["closure"])
    sync.report["closure"] = closure
    sync.diff = diff

    overrides = override_changes(old_root, new_root)
    sync.report["overrides"] = {"count": len(override_targets()), "upstream changed": overrides}
    for ov in overrides:
        if ov["status"] == "missing":
            sync.problems.append(f"override target {ov['target']} is not in the new snapshot ({ov['source']})")
        elif ov["status"] == "drifted":
            sync.review.append(
                f"{ov['target']} ({ov['source']}): upstream changed; review the override, then record "
                f'upstream="{ov["new hash"]}"'
            )

    unmatched: list[str] = []
    try:
        generation = generate(new_root, out_dir, sync.target, review=True)
    except GenerationError as exc:
        unmatched = exc.problems.get("rules unmatched", [])
        sync.problems += [f"rule no longer matches: {u}" for u in unmatched]
        missing = {m.split(" ")[0] for m in exc.problems.get("override targets missing", [])}
        known = {ov["target"] for ov in overrides if ov["status"] == "missing"}
        sync.problems += [f"override target {m} is not in the new snapshot" for m in sorted(missing - known)]
        if not exc.problems:
            sync.problems.append(f"generation failed: {exc}")
        generation = None
    except (ValueError, KeyError) as exc:
        sync.problems.append(f"generation failed: {exc}")
        generation = None
    sync.report["rules unmatched"] = unmatched

    if generation is not None:
        errors = compile_errors(out_dir)
        sync.problems += [f"generated code does not compile: {e}" for e in errors]
        sync.report["compile errors"] = errors
        # The committed lock is the colouring reviewed so far; without one, the pinned snapshot
        # is coloured now (a release that fails needs no colouring diff).
        locked = read_lock(repo / COLOURING_LOCK.relative_to(ROOT))
        before = locked if locked is not None else old_colouring(old_root, sync.current)
        sync.colouring = generation["coloured"]
        sync.report["io colouring"] = colouring_changes(before, sync.colouring)
        if locked is not None:
            changes = lock_differences(locked, sync.colouring)
            sync.report["io colouring"]["lock"] = {"summary": summary(changes), "changes": changes}
        sync.report["unresolved sync callers"] = generation["unresolved sync callers"]
        sync.report["generated files"] = {"count": generation["files"], **generated_changes(out_dir, repo / "teapot")}
    else:
        sync.report["io colouring"] = None


def generated_changes(fresh: Path, package: Path) -> dict:
    """How the new generated tree differs from the one in place. Every file's header names the
    release, so files that differ in that line only are counted, not listed."""
    header_only = 0
    differing = []
    for line in compare_trees(fresh, package):
        if line.startswith("differs: "):
            rel = line[len("differs: "):].rsplit(" (", 1)[0]
            new, old = (fresh / rel).read_text(), (package / rel).read_text()
            if new.split("\n", 1)[1:] == old.split("\n", 1)[1:]:
                header_only += 1
                continue
        differing.append(line)
    return {"differing from the current tree": differing, "differing in the header only": header_only}


# -- switching

def install_tree(fresh: Path, package: Path) -> None:
    """Replace the generated files of ``package`` with those of ``fresh`` (hand-written ones stay)."""
    incoming = {p.relative_to(fresh): p for p in generated_paths(fresh)}
    current = set(generated_paths(package))
    for rel in incoming:
        target = package / rel
        if target.exists() and target not in current:
            raise SyncError(f"{target} exists and is not generated: refusing to overwrite it")
    for path in current:
        path.unlink()
    for rel, source in sorted(incoming.items()):
        target = package / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    _remove_empty_dirs(package)


def changelog_entry(sync: Sync) -> str:
    closure = sync.report["closure"]
    files = [f"`{f['path']}`" for f in closure["files changed"]]
    changed = [o["target"] for o in sync.report["overrides"]["upstream changed"]]
    new_io = list(sync.report["io colouring"]["new"])
    text = (
        f"- Upstream: Django {sync.current.version} → {sync.target.version} (`tools/sync_upstream.py`). "
        f"Files changed upstream within the pruned closure: {', '.join(files) or 'none'}. "
        f"Overrides whose upstream code changed: {', '.join(changed) or 'none'}. "
        f"New I/O functions: {', '.join(new_io) or 'none'}."
    )
    return _wrap_bullet(text)


def _wrap_bullet(text: str, width: int = 96) -> str:
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = "  " + word
        else:
            line = f"{line} {word}" if line else word
    return "\n".join(lines + [line]) + "\n"


def add_changelog_entry(path: Path, entry: str) -> None:
    """Put ``entry`` first under "## Unreleased" / "### Changed" (made if missing)."""
    text = path.read_text()
    unreleased = re.search(r"^## Unreleased\n", text, re.M)
    if unreleased is None:
        raise SyncError(f"{path} has no '## Unreleased' section")
    section_end = re.compile(r"^## ", re.M).search(text, unreleased.end())
    end = section_end.start() if section_end else len(text)
    changed = re.compile(r"^### Changed\n\n?", re.M).search(text, unreleased.end(), end)
    if changed:
        text = text[: changed.end()] + entry + text[changed.end():]
    else:
        insert = unreleased.end()
        text = text[:insert] + "\n### Changed\n\n" + entry + text[insert:]
    path.write_text(text)


def run_tests(repo: Path, full: bool) -> dict:
    command = ["bash", "tools/test.sh"] if full else [sys.executable, *QUICK_TESTS]
    print(f"sync_upstream: running {' '.join(command)}", flush=True)
    proc = subprocess.run(command, cwd=repo)
    return {"command": " ".join(command), "exit code": proc.returncode, "passed": proc.returncode == 0}


# -- the whole move

def sync_upstream(
    version: str,
    sdist: Path | None = None,
    dry_run: bool = False,
    tests: str = "quick",
    repo: Path = ROOT,
) -> tuple[int, Sync]:
    """Take Django ``version``; return the exit code and the finished Sync (see tools/sync_upstream.py)."""
    lock = repo / "upstream.lock"
    sync = Sync(Pin.load(lock))
    sync.report["from"] = {"version": sync.current.version, "sdist": sync.current.sdist, "sha256": sync.current.sha256}
    sync.report["to"] = {"version": version}
    try:
        check_tools(sync.current)
        sync.target, sdist_path, origin = target_pin(sync.current, version, sdist)
    except (PinError, SyncError) as exc:
        sync.problems.append(str(exc))
        return _finish(sync, CANNOT_TAKE)
    sync.report["to"] = {"version": version, "sdist": sync.target.sdist, "sha256": sync.target.sha256, "source": origin}
    if sync.target.sha256 == sync.current.sha256:
        sync.report["result"] = f"Django {version} is pinned already: nothing to do"
        return _finish(sync, OK)
    with tempfile.TemporaryDirectory(prefix="teapot-sync-") as work:
        work = Path(work)
        try:
            old_root = open_source(sync.current, None, work / "old")
            new_root = open_source(sync.target, sdist_path, work / "new")
            found = snapshot_version(new_root)
            if found != version:
                raise SyncError(f"the sdist is Django {found}, not {version}")
            mentions = planned_mentions(repo, sync.current.version, version)
        except (PinError, SyncError) as exc:
            sync.problems.append(str(exc))
            return _finish(sync, CANNOT_TAKE)
        fresh = work / "teapot"
        fresh.mkdir()
        analyse(sync, old_root, new_root, fresh, repo)
        if sync.problems:
            return _finish(sync, CANNOT_TAKE)
        if sync.review:
            return _finish(sync, REVIEW_NEEDED)
        if dry_run:
            sync.report["result"] = f"dry run: Django {version} can be taken; nothing was written"
            return _finish(sync, OK)

        # Every check passed: write the repository.
        if sdist is not None:  # so that tools/rename_fork.py finds the pinned sdist on this machine
            cache_dir().mkdir(parents=True, exist_ok=True)
            shutil.copyfile(sdist_path, cache_dir() / sync.target.sdist)
        install_tree(fresh, repo / "teapot")
        for path, text in mentions.items():
            path.write_text(text)
        write_lock(sync.target, lock)
        write_colouring_lock(sync.colouring, repo / COLOURING_LOCK.relative_to(ROOT))
    sync.report["switched"] = True

    if tests == "none":
        sync.report["tests"] = "skipped (--skip-tests)"
    else:
        warning = reference_django_mismatch(version)
        if warning:
            print(f"sync_upstream: warning: {warning}", file=sys.stderr)
        result = run_tests(repo, full=tests == "full")
        sync.report["tests"] = result
        if not result["passed"]:
            sync.report["result"] = (
                f"switched to Django {version}, but the tests failed: no CHANGELOG entry written. "
                "Fix them, or go back with: git checkout upstream.lock teapot/__init__.py pyproject.toml "
                "README.md && python tools/rename_fork.py"
            )
            return _finish(sync, TESTS_FAILED)
    entry = changelog_entry(sync)
    add_changelog_entry(repo / "CHANGELOG.md", entry)
    sync.report["changelog"] = entry
    sync.report["result"] = f"switched to Django {version}"
    return _finish(sync, OK)


def _finish(sync: Sync, code: int) -> tuple[int, Sync]:
    version = sync.report["to"]["version"]
    if code == CANNOT_TAKE:
        sync.report["result"] = f"cannot take Django {version}: the pin is unchanged"
    elif code == REVIEW_NEEDED:
        sync.report["result"] = f"review needed before taking Django {version}: the pin is unchanged"
    sync.report["problems"] = sync.problems
    sync.report["review"] = sync.review
    sync.report.setdefault("switched", False)
    return code, sync


def reference_django_mismatch(version: str) -> str | None:
    """The type-matrix tests compare with the installed Django: say so when it is another release."""
    try:
        installed = importlib.metadata.version("django")
    except importlib.metadata.PackageNotFoundError:
        return None
    if installed != version:
        return f"the installed Django is {installed}; the type-matrix tests want {version}: pip install django=={version}"
    return None
