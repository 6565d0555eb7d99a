"""The I/O colouring the codemod computed, committed as ``tools/codemod/colouring.lock``.

One line per coloured function, sorted by upstream qualified name:

    django.db.models.query.QuerySet.get coroutine: calls django.db.models.query.QuerySet.__len__

(the qualified name, the colour, and the first reason found). A change of rule, table,
override or upstream release that colours other functions shows up as a diff of this file
in review; ``python tools/rename_fork.py --check`` fails while the file and a fresh
colouring disagree, and ``--update-lock`` rewrites it.
"""

from __future__ import annotations

import sys
from pathlib import Path

LOCK = Path(__file__).resolve().parent / "colouring.lock"
HEADER = (
    "# The I/O colouring of the pinned snapshot: qualified name, colour, first reason.\n"
    "# Written by: python tools/rename_fork.py --update-lock   (checked by --check)\n"
)


def format_lock(colouring: dict[str, str]) -> str:
    lines = []
    for qual in sorted(colouring):
        entry = " ".join(colouring[qual].split())  # one line each, whatever the reason holds
        lines.append(f"{qual} {entry}\n")
    return HEADER + "".join(lines)


def parse_lock(text: str) -> dict[str, str]:
    found = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        qual, _, entry = line.partition(" ")
        found[qual] = entry
    return found


def read_lock(path: Path = LOCK) -> dict[str, str] | None:
    """The locked colouring, or None when there is no lock file."""
    if not path.exists():
        return None
    return parse_lock(path.read_text())


def write_lock(colouring: dict[str, str], path: Path = LOCK) -> None:
    path.write_text(format_lock(colouring))


def lock_differences(locked: dict[str, str], fresh: dict[str, str]) -> list[str]:
    """How ``fresh`` differs from ``locked``, one short line per function, sorted by name:
    ``+ name entry`` (newly coloured), ``- name entry`` (no longer coloured), ``~ name: old -> new``."""
    fresh = parse_lock(format_lock(fresh))  # compare as the file holds them
    lines = []
    for qual in sorted(set(locked) | set(fresh)):
        if qual not in locked:
            lines.append(f"+ {qual} {fresh[qual]}")
        elif qual not in fresh:
            lines.append(f"- {qual} {locked[qual]}")
        elif locked[qual] != fresh[qual]:
            lines.append(f"~ {qual}: {locked[qual]} -> {fresh[qual]}")
    return lines


def summary(differences: list[str]) -> str:
    counts = {sign: sum(1 for d in differences if d.startswith(sign)) for sign in "+-~"}
    return f"{counts['+']} newly coloured, {counts['-']} no longer coloured, {counts['~']} changed colour or reason"


def check_lock(colouring: dict[str, str], lock: Path, out=None, err=None) -> bool:
    """Whether the lock file holds ``colouring``; if not, say how they differ."""
    out, err = out or sys.stdout, err or sys.stderr
    locked = read_lock(lock)
    if locked is None:
        print(f"rename_fork --check: {lock} is missing; write it with: python tools/rename_fork.py --update-lock", file=err)
        return False
    changes = lock_differences(locked, colouring)
    if not changes:
        print(f"rename_fork --check: the I/O colouring matches {lock.name} ({len(locked)} functions)", file=out)
        return True
    print(f"rename_fork --check: the I/O colouring differs from {lock}: {summary(changes)}", file=err)
    for line in changes[:50]:
        print(f"  {line}", file=err)
    if len(changes) > 50:
        print(f"  ... and {len(changes) - 50} more", file=err)
    print("  review the change, then record it with: python tools/rename_fork.py --update-lock", file=err)
    return False

