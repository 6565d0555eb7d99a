"""Read the lock file, fetch the pinned Django sdist into a cache and verify its sha256."""

from __future__ import annotations

import ast
import hashlib
import html
import json
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import tomllib
import urllib.parse
import urllib.request
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


def _index_urls() -> list[str]:
    """The package indexes pip is configured with (PIP_INDEX_URL, pip config), PyPI last."""
    urls = [os.environ.get("PIP_INDEX_URL", "")]
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "pip", "config", "get", "global.index-url"],
            capture_output=True, text=True, timeout=60,
        )
        urls.append(proc.stdout.strip() if proc.returncode == 0 else "")
    except (OSError, subprocess.SubprocessError):
        pass
    urls.append("https://pypi.org/simple")
    return [u.rstrip("/") for u in dict.fromkeys(urls) if u.startswith(("http://", "https://"))]


def sdist_name(version: str) -> str:
    return f"django-{version}.tar.gz"


def _find_in_index(index: str, sdist: str) -> tuple[str, str | None]:
    """The download URL of ``sdist`` in one simple index, and the sha256 the index publishes
    for it (PEP 691 ``hashes``, or PEP 503's ``#sha256=`` fragment), or None."""
    request = urllib.request.Request(f"{index}/django/", headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        body = response.read().decode()
    try:
        entry = next((f for f in json.loads(body)["files"] if f["filename"] == sdist), None)
        if entry is None:
            raise LookupError(f"{sdist} is not on the index")
        url, digest = entry["url"], entry.get("hashes", {}).get("sha256")
    except ValueError:  # an HTML simple index (PEP 503)
        found = re.search(r'href="([^"]*/%s(?:#[^"]*)?)"' % re.escape(sdist), body)
        if not found:
            raise LookupError(f"{sdist} is not on the index")
        url = html.unescape(found.group(1))
        fragment = re.search(r"#sha256=([0-9a-f]{64})", url)
        digest = fragment.group(1) if fragment else None
    return urllib.parse.urljoin(f"{index}/django/", url).split("#")[0], digest


def published_pin(version: str, tools: dict[str, str]) -> tuple[Pin, str]:
    """The pin of Django ``version`` with the sha256 its package index publishes, and that index.

    The digest comes from the index, never from the downloaded file, so ``fetch_sdist`` can
    verify the download against it."""
    sdist = sdist_name(version)
    errors = []
    for index in _index_urls():
        try:
            _, digest = _find_in_index(index, sdist)
        except (OSError, ValueError, LookupError) as exc:
            errors.append(f"{index}: {exc}")
            continue
        if digest is None:
            errors.append(f"{index}: publishes no sha256 for {sdist}")
            continue
        return Pin(version, sdist, digest, dict(tools)), index
    raise PinError(f"could not look up Django {version} ({sdist}): " + "; ".join(errors))


def _download_from_index(pin: Pin, dest: Path) -> str:
    """Fetch the sdist file itself from a simple index without building it."""
    errors = []
    for index in _index_urls():
        try:
            url, _ = _find_in_index(index, pin.sdist)
            with urllib.request.urlopen(url, timeout=300) as response, open(dest, "wb") as out:
                shutil.copyfileobj(response, out)
            return index
        except (OSError, ValueError, LookupError) as exc:
            errors.append(f"{index}: {exc!r}")
    raise PinError(f"could not download {pin.sdist}: " + "; ".join(errors))


def fetch_sdist(pin: Pin) -> Path:
    """Return the path of the verified sdist, downloading it into the cache if needed."""
    target = cache_dir() / pin.sdist
    if target.exists() and sha256_of(target) == pin.sha256:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        downloaded = Path(tmp) / pin.sdist
        _download_from_index(pin, downloaded)
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
        with tarfile.open(source, "r|*") as tar:
            # Only the package, in one pass: the sdist's tests and docs are most of it and
            # nothing reads them.
            for member in tar:
                if member.name.split("/")[1:2] == ["django"]:
                    tar.extract(member, workdir, filter="data")
        roots = [p for p in workdir.iterdir() if (p / "django" / "__init__.py").exists()]
        if len(roots) != 1:
            raise PinError(f"{source} holds no single django/ package")
        return roots[0]
    for candidate in (source, source.parent):
        if (candidate / "django" / "__init__.py").exists():
            return candidate
    raise PinError(f"{source} holds no django/ package")


def snapshot_version(source_root: Path) -> str:
    """The release an unpacked snapshot says it is (``django.VERSION``, as PEP 440 text)."""
    tree = ast.parse((source_root / "django" / "__init__.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["VERSION"]:
            major, minor, micro, level, serial = ast.literal_eval(node.value)
            suffix = {"alpha": f"a{serial}", "beta": f"b{serial}", "rc": f"rc{serial}"}.get(level, "")
            return f"{major}.{minor}.{micro}{suffix}" if level != "final" or micro else f"{major}.{minor}"
    raise PinError(f"{source_root}/django/__init__.py has no VERSION")


def write_lock(pin: Pin, path: Path = LOCK_FILE) -> None:
    """Point the [django] table of the lock file at ``pin``, keeping its comments and layout."""
    text = path.read_text()
    django = re.search(r"^\[django\]\n(?:(?!\[).*\n?)*", text, re.M)
    if django is None:
        raise PinError(f"{path} has no [django] table")
    table = django.group(0)
    for key in ("version", "sdist", "sha256"):
        table, found = re.subn(rf'^{key} = "[^"]*"$', f'{key} = "{getattr(pin, key)}"', table, flags=re.M)
        if found != 1:
            raise PinError(f"{path}: [django] {key} is not a single quoted value")
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text[: django.start()] + table + text[django.end():])
    tmp.replace(path)
