"""In-tree PEP 517 build backend: setuptools, with the fork generated first.

The subpackages ``teapot/{apps,conf,contrib/auth,contrib/contenttypes,core,db,dispatch,utils}`` are not
stored in git; they are generated from the pinned Django sdist by ``tools/rename_fork.py``.
This backend wraps ``setuptools.build_meta`` and runs the generator before setuptools collects packages:

- ``build_wheel`` and ``build_editable`` regenerate the fork in the source tree, then build.
  (When pip builds a wheel from our sdist, this runs in the unpacked sdist.)
- ``build_sdist`` does not generate: an sdist carries the generator, its rules and the lock
  file, never Django's code. ``MANIFEST.in`` prunes the generated folders, and the finished
  tarball is checked for any generated file before it is handed back.
- The metadata hooks do not generate: the metadata does not depend on the package list.

Set ``TEAPOT_SKIP_GENERATE=1`` to build from a tree that was generated beforehand (for
instance with ``python tools/rename_fork.py --source ...``); the build then fails if the
generated folders are missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

from setuptools import build_meta as _setuptools
from setuptools.build_meta import (  # noqa: F401  (re-exported PEP 517 hooks)
    get_requires_for_build_editable,
    get_requires_for_build_sdist,
    get_requires_for_build_wheel,
    prepare_metadata_for_build_editable,
    prepare_metadata_for_build_wheel,
)

# The project root: PEP 517 runs every hook with the source tree as the working directory.
ROOT = Path.cwd()
GENERATOR = ROOT / "tools" / "rename_fork.py"
GENERATED_PACKAGES = ("apps", "conf", "contrib/auth", "contrib/contenttypes", "core", "db", "dispatch", "utils")
# The first-line marker of a generated file (split so this file is not taken for one).
MARKER = "@gen" "erated"


class GenerationFailed(RuntimeError):
    pass


def _generate() -> None:
    if os.environ.get("TEAPOT_SKIP_GENERATE"):
        missing = [p for p in GENERATED_PACKAGES if not (ROOT / "teapot" / p / "__init__.py").exists()]
        if missing:
            raise GenerationFailed(
                f"TEAPOT_SKIP_GENERATE is set but teapot/{{{','.join(missing)}}} was never generated"
            )
        print("teapot build: TEAPOT_SKIP_GENERATE set, using the generated tree as it is", file=sys.stderr)
        return
    if not GENERATOR.exists():
        raise GenerationFailed(f"{GENERATOR} is missing: cannot generate the teapot fork")
    print("teapot build: generating the fork with tools/rename_fork.py", file=sys.stderr)
    proc = subprocess.run([sys.executable, str(GENERATOR), "--quiet"], cwd=ROOT)
    if proc.returncode != 0:
        raise GenerationFailed(f"tools/rename_fork.py failed with exit code {proc.returncode}")
    # setuptools copies packages into build/lib and never removes anything there; a module
    # that the generator stopped producing would otherwise linger in the next wheel.
    for stale in (ROOT / "build").glob("lib*"):
        shutil.rmtree(stale, ignore_errors=True)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    _generate()
    return _setuptools.build_wheel(wheel_directory, config_settings, metadata_directory)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    _generate()
    return _setuptools.build_editable(wheel_directory, config_settings, metadata_directory)


def build_sdist(sdist_directory, config_settings=None):
    name = _setuptools.build_sdist(sdist_directory, config_settings)
    offending = _generated_members(Path(sdist_directory) / name)
    if offending:
        (Path(sdist_directory) / name).unlink()
        raise GenerationFailed(
            "the sdist would contain generated (Django-derived) files; check MANIFEST.in:\n  "
            + "\n  ".join(offending[:20])
        )
    return name


def _generated_members(sdist: Path) -> list[str]:
    found = []
    with tarfile.open(sdist) as tar:
        for member in tar.getmembers():
            if not (member.isfile() and member.name.endswith((".py", ".pyi", ".html", ".txt"))):
                continue
            first_line = tar.extractfile(member).readline().decode("utf-8", "replace")
            if MARKER in first_line:
                found.append(member.name)
    return found
