#!/usr/bin/env bash
# Check that the installed teapot lives on its own and beside Django:
#
#   1. a fresh venv with only teapot: `import teapot, teapot.db.models` works and no
#      `django` package is importable at all (and the wheel has py.typed and its stubs);
#   2. a fresh venv with Django 4.2 and teapot: both import in one process, in either order,
#      Django is 4.2, and importing teapot pulls in nothing under `django`.
#
# teapot is built once as a wheel (which is what `pip install .` does: the build backend runs
# tools/rename_fork.py) and that wheel goes into both venvs. Set TEAPOT_WHEEL to a wheel to
# skip the build. The checks run outside the source tree with `python -I`, so they see the
# installed package, never ./teapot.
#
#   bash tools/check_coexistence.sh
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-python3}
DJANGO_SPEC=${DJANGO_SPEC:-"Django>=4.2,<5.0"}
TEAPOT_PIP_FLAGS=${TEAPOT_PIP_FLAGS--q}  # extra pip flags; set empty for full pip output

WORK=$(mktemp -d "${TMPDIR:-/tmp}/teapot-coexistence.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
unset PYTHONPATH DJANGO_SETTINGS_MODULE

step() { printf '\n== coexistence: %s\n' "$*"; }

step "venv with teapot only"
"$PYTHON" -m venv "$WORK/alone"
if [ -n "${TEAPOT_WHEEL:-}" ]; then
    wheel=$TEAPOT_WHEEL
else
    "$WORK/alone/bin/python" -m pip wheel $TEAPOT_PIP_FLAGS --no-deps -w "$WORK/dist" "$ROOT"
    wheel=$(ls "$WORK"/dist/teapot_orm-*.whl)
fi
echo "wheel: $(basename "$wheel")"
"$WORK/alone/bin/python" -m pip install $TEAPOT_PIP_FLAGS "$wheel"

# Shared by both venvs: import teapot, check it came from site-packages and loaded nothing
# from django.
cat > "$WORK/teapot_imports.py" <<'EOF'
import os
import sys

import teapot
import teapot.db.models

here = os.path.dirname(teapot.__file__)
assert os.path.realpath(here).startswith(os.path.realpath(sys.prefix)), (
    f"teapot was imported from {here}, not from the venv at {sys.prefix}"
)
leaked = sorted(m for m in sys.modules if m == "django" or m.startswith("django."))
assert not leaked, f"importing teapot imported Django modules: {leaked[:10]}"
foreign = sorted(
    name
    for name, module in list(sys.modules.items())
    if (name == "teapot" or name.startswith("teapot."))
    and getattr(module, "__file__", None)
    and not os.path.realpath(module.__file__).startswith(os.path.realpath(here))
)
assert not foreign, f"teapot modules loaded from outside the package: {foreign[:10]}"
# The wheel carries its types (PEP 561): the marker and the stubs copied beside the modules.
for typed in ("py.typed", "db/models/query.pyi", "db/transaction.pyi"):
    assert os.path.exists(os.path.join(here, typed)), f"{typed} is missing from the installed teapot"
loaded = sum(1 for m in sys.modules if m == "teapot" or m.startswith("teapot."))
print(f"teapot {teapot.__version__} from {here}: {loaded} teapot modules, no django modules")
EOF

cd "$WORK"
"$WORK/alone/bin/python" -I -c '
import importlib.util, runpy
runpy.run_path("teapot_imports.py")
assert importlib.util.find_spec("django") is None, "django is importable in the teapot-only venv"
print("ok: teapot imports with no Django installed")
'

step "venv with $DJANGO_SPEC and teapot"
"$PYTHON" -m venv "$WORK/beside"
"$WORK/beside/bin/python" -m pip install $TEAPOT_PIP_FLAGS "$DJANGO_SPEC" "$wheel"

# teapot first, then Django.
"$WORK/beside/bin/python" -I -c '
import runpy
runpy.run_path("teapot_imports.py")
import django, django.db.models, teapot.db.models
assert django.VERSION[:2] == (4, 2), f"expected Django 4.2, found {django.get_version()}"
assert teapot.db.models.Model is not django.db.models.Model
print(f"ok: teapot, then Django {django.get_version()}, in one process")
'

# Django first, configured and set up as a Django project would be, then teapot.
"$WORK/beside/bin/python" -I -c '
import sys
import django
from django.conf import settings
settings.configure(
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
)
django.setup()
import django.db.models
before = {m for m in sys.modules if m == "django" or m.startswith("django.")}
import teapot, teapot.db.models
after = {m for m in sys.modules if m == "django" or m.startswith("django.")}
assert after == before, f"importing teapot imported Django modules: {sorted(after - before)[:10]}"
assert django.VERSION[:2] == (4, 2), f"expected Django 4.2, found {django.get_version()}"
assert teapot.db.models.Model is not django.db.models.Model
print(f"ok: Django {django.get_version()} set up, then teapot, in one process")
'

step "passed"
