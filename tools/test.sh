#!/usr/bin/env bash
# The project's test command:
#
#   bash tools/test.sh [pytest arguments]
#
# 1. creates a fresh venv .venv-test and runs `pip install -e '.[test]'` (the build backend
#    generates the fork into teapot/);
# 2. `python tools/rename_fork.py --check`: the generated tree is what the pin and rules give;
# 3. `python -m pytest` over tests/ on SQLite, then `python -m pytest tests/orm --db=postgresql`
#    and `--db=mysql` (no tests collected counts as a failure). TEAPOT_TEST_DATABASES picks
#    the databases (default "sqlite postgresql mysql"); pytest arguments go to every run;
#    4. tools/check_coexistence.sh: teapot without Django, and beside Django 4.2.
#
# Steps 2-4 all run; the script exits non-zero if any of them failed.
# PostgreSQL (127.0.0.1:5432) and MariaDB (127.0.0.1:3306) must be running: .ci/run starts them;
# the ORM tests create their test database when it is missing.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PYTHON=${PYTHON:-python3}
VENV=$ROOT/.venv-test
export TEAPOT_PIP_FLAGS=${TEAPOT_PIP_FLAGS--q}

step() { printf '\n== test: %s\n' "$*"; }
die() { echo "test: $*" >&2; exit 1; }

"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || die "$PYTHON is $("$PYTHON" -V 2>&1); teapot needs Python 3.11 or later (set PYTHON=...)"

started=$SECONDS
step "fresh venv $VENV, pip install -e '.[test]'"
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV" || die "could not create $VENV"
"$VENV/bin/python" -m pip install $TEAPOT_PIP_FLAGS -e '.[test]' || die "pip install -e '.[test]' failed"
"$VENV/bin/python" -c 'import teapot' || die "import teapot failed after the editable install"

failed=()

step "python tools/rename_fork.py --check"
"$VENV/bin/python" tools/rename_fork.py --check --quiet || failed+=("rename_fork --check")

for db in ${TEAPOT_TEST_DATABASES:-sqlite postgresql mysql}; do
    if [ "$db" = sqlite ]; then
        paths=()  # everything: the codemod, setup, demo and ORM tests
    else
        paths=(tests/orm)  # the ORM tests again, on this server
    fi
    step "python -m pytest ${paths[*]} --db=$db $*"
    "$VENV/bin/python" -m pytest "${paths[@]}" --db="$db" "$@"
    rc=$?
    if [ "$rc" -eq 5 ]; then
        echo "test: pytest collected no tests on $db" >&2
        failed+=("pytest on $db (no tests collected)")
    elif [ "$rc" -ne 0 ]; then
        failed+=("pytest on $db (exit $rc)")
    fi
done

step "tools/check_coexistence.sh"
PYTHON=$PYTHON bash tools/check_coexistence.sh || failed+=("coexistence")

echo
if [ "${#failed[@]}" -ne 0 ]; then
    printf 'test: FAILED after %ss: %s\n' "$((SECONDS - started))" "$(IFS=,; echo "${failed[*]}" | sed 's/,/, /g')" >&2
    exit 1
fi
echo "test: all passed in $((SECONDS - started))s"
