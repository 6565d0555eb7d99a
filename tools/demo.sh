#!/usr/bin/env bash
# Set up a development venv and run the demo on SQLite:
#
#   bash tools/demo.sh [demo arguments]
#
# Creates .venv (reused when it already exists), runs `pip install -e .` (the build backend
# generates the fork into teapot/), then `python examples/demo.py`. Needs no database server.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PYTHON=${PYTHON:-python3}
VENV=$ROOT/.venv

"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
    echo "demo: $("$PYTHON" -V 2>&1) is too old; teapot needs Python 3.11 or later (set PYTHON=...)" >&2
    exit 1
}
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install ${TEAPOT_PIP_FLAGS--q} -e .

if [ ! -f examples/demo.py ]; then
    echo "demo: examples/demo.py does not exist yet; teapot is installed in $VENV" >&2
    exit 1
fi
exec "$VENV/bin/python" examples/demo.py "$@"
