"""Read the lock file, fetch the pinned Django sdist into a cache and verify its sha256."""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCK_FILE = ROOT / "upstream.lock"


class PinError(RuntimeError):
    """The snapshot or a tool does not match the lock file."""


@dataclass(frozen=True)
class Pin:
    version: str
    sdist: str
    sha256: str
    tools: dict[str, str]

    @classmethod
    def load(cls, path: Path = LOCK_FILE) -> "Pin":
        data = tomllib.loads(path.read_text())
        dj = data["django"]
        return cls(dj["version"], dj["sdist"], dj["sha256"], dict(data.get("tools", {})))


def check_tools(pin: Pin) -> None:
    """Refuse to generate with a tool version other than the pinned one (output would drift)."""
    for name, wanted in pin.tools.items():
        try:
            found = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            raise PinError(f"{name}=={wanted} is pinned in upstream.lock but not installed")
        if found != wanted:
            raise PinError(
                f"{name} {found} is installed but upstream.lock pins {wanted}: "
                f"pip install {name}=={wanted}"
            )


def cache_dir() -> Path:
    base = os.environ.get("TEAPOT_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "teapot"
    )
    return Path(base)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pip_command() -> list[str]:
    # Inside an isolated PEP 517 build, pip is a build requirement of ours; outside, use the
    # interpreter's own pip, or the one on PATH.
    try:
        import pip  # noqa: F401

        return [sys.executable, "-m", "pip"]
    except ImportError:
        found = shutil.which("pip") or shutil.which("pip3")
        if not found:
            raise PinError("pip is needed to fetch the pinned Django sdist")
        return [found]


def fetch_sdist(pin: Pin) -> Path:
    """Return the path of the verified sdist, downloading it into the cache if needed."""
    target = cache_dir() / pin.sdist
    if target.exists() and sha256_of(target) == pin.sha256:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        cmd = _pip_command() + [
            "download", "--no-deps", "--no-binary", ":all:", "--no-build-isolation",
            f"django=={pin.version}", "-d", tmp,
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        downloaded = Path(tmp) / pin.sdist
        if proc.returncode != 0 or not downloaded.exists():
            raise PinError(f"could not download {pin.sdist}:\n{proc.stdout}\n{proc.stderr}")
        got = sha256_of(downloaded)
        if got != pin.sha256:
            raise PinError(f"{pin.sdist} has sha256 {got}, upstream.lock expects {pin.sha256}")
        shutil.move(str(downloaded), target)
    return target


def open_source(pin: Pin, source: Path | None, workdir: Path) -> Path:
    """Return the folder holding the ``django`` package of the snapshot.

    ``source`` may be an sdist tarball (verified against the pin), an unpacked sdist, or a
    folder that directly contains ``django/``; without it the pinned sdist is fetched.
    """
    if source is None:
        source = fetch_sdist(pin)
    source = Path(source)
    if source.is_file():
        if source.name == pin.sdist and sha256_of(source) != pin.sha256:
            raise PinError(f"{source} does not match the sha256 in upstream.lock")
        with tarfile.open(source) as tar:
            tar.extractall(workdir, filter="data")
        roots = [p for p in workdir.iterdir() if (p / "django" / "__init__.py").exists()]
        if len(roots) != 1:
            raise PinError(f"{source} holds no single django/ package")
        return roots[0]
    for candidate in (source, source.parent):
        if (candidate / "django" / "__init__.py").exists():
            return candidate
    raise PinError(f"{source} holds no django/ package")
