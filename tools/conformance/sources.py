"""Django's test suite from the pinned sdist: extracted once (tests/ only) into
build/conformance/django-tests-<version>/."""

from __future__ import annotations

import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def tests_root() -> Path:
    from tools.codemod.pin import Pin

    pin = Pin.load(ROOT / "upstream.lock")
    out = ROOT / "build" / "conformance" / f"django-tests-{pin.version}"
    marker = out / ".complete"
    if marker.exists():
        return out / "tests"
    from tools.codemod.pin import fetch_sdist

    sdist = fetch_sdist(pin)
    prefix = f"Django-{pin.version}/tests/".lower()
    out.mkdir(parents=True, exist_ok=True)
    with tarfile.open(sdist) as tar:
        members = []
        for member in tar.getmembers():
            parts = member.name.split("/", 1)
            if len(parts) == 2 and parts[1].startswith("tests/"):
                member.name = parts[1]
                members.append(member)
        tar.extractall(out, members=members, filter="data")
    marker.write_text("")
    return out / "tests"
