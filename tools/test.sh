#!/usr/bin/env bash
# The project's test command:
#
#   bash tools/test.sh [pytest arguments]
#
# 0. tools/prepare_servers.sh: starts PostgreSQL and MariaDB when they are down, installs
#    pgbouncer when missing, loads MariaDB's time-zone tables, creates the test databases;
# 1. creates a fresh venv .venv-test and runs `pip install -e '.[test]'` (the build backend
#    generates the fork into teapot/);
# 2. `python tools/rename_fork.py --check`: the generated tree and tools/codemod/colouring.lock
#    are what the pin and rules give;
# 3. `python -m pytest` over tests/ on SQLite, then `python -m pytest tests/orm tests/connections
#    tests/streams tests/backends tests/contrib tests/testing tests/migrations
#    tests/examples/test_shop_http.py` (the example served by uvicorn) with
#    `--db=postgresql` and `--db=mysql` (no tests collected counts as a failure).
#    TEAPOT_TEST_DATABASES picks the databases (default "sqlite postgresql mysql"); pytest
#    arguments go to every run;
# 4. `python -m pytest tests/adapter --db=...` on each of those databases: a Django project's
#    models adapted by teapot.adapt() and compared with Django itself (a pytest process of its
#    own per database, as teapot is configured once per process; step 3 never collects them);
# 5. the same adapter tests in a fresh venv .venv-test-django42 with teapot installed the same
#    way, then "Django>=4.2,<5.0" (TEAPOT_TEST_DJANGO_OLD overrides the spec); and again in
#    .venv-test-django6, made by a Python 3.12 or later (TEAPOT_TEST_PYTHON_NEW, else 3.12 or
#    3.13 on PATH or installed by pyenv), with "Django>=6.1,<6.2" (TEAPOT_TEST_DJANGO_NEW);
# 6. tools/check_coexistence.sh: teapot without Django, and beside Django 4.2.
#
# Steps 2-6 all run; the script exits non-zero if any of them failed.
# PostgreSQL (127.0.0.1:5432, user postgres) and MariaDB (127.0.0.1:3306, root) are this
# machine's: step 0 starts and prepares them (as root where something must be installed).
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
step "tools/prepare_servers.sh ${TEAPOT_TEST_DATABASES:-sqlite postgresql mysql}"
bash tools/prepare_servers.sh ${TEAPOT_TEST_DATABASES:-sqlite postgresql mysql} || die "the database servers could not be prepared"

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
        # the ORM, connection, stream, backend, integration, teapot.testing and migration tests again, on this server
        paths=(tests/orm tests/connections tests/streams tests/backends tests/contrib tests/testing tests/migrations)
    fi
    if [ "$db" != sqlite ]; then
        paths+=(tests/examples/test_shop_http.py)  # the example under uvicorn (SQLite runs it above)
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

# run_pytest LABEL PYTHON ARGS...: one pytest run; no tests collected is a failure too.
run_pytest() {
    local label=$1 python=$2 rc
    shift 2
    step "$label: python -m pytest $*"
    "$python" -m pytest "$@"
    rc=$?
    if [ "$rc" -eq 5 ]; then
        echo "test: pytest collected no tests ($label)" >&2
        failed+=("$label (no tests collected)")
    elif [ "$rc" -ne 0 ]; then
        failed+=("$label (exit $rc)")
    fi
}

for db in ${TEAPOT_TEST_DATABASES:-sqlite postgresql mysql}; do
    run_pytest "adapter tests on $db" "$VENV/bin/python" tests/adapter --db="$db" "$@"
done

# adapter_tests_under VENV PYTHON DJANGO_SPEC: a fresh venv VENV made by PYTHON, teapot installed
# as above, then DJANGO_SPEC; the adapter tests on each database under that Django.
adapter_tests_under() {
    local venv=$1 python=$2 spec=$3 label
    shift 3
    label=$(echo "$spec" | tr -d " ,")  # the summary splits on commas
    step "fresh venv $venv ($("$python" -V 2>&1)): pip install -e '.[test]', then $spec"
    rm -rf "$venv"
    if "$python" -m venv "$venv" \
        && "$venv/bin/python" -m pip install $TEAPOT_PIP_FLAGS -e '.[test]' \
        && "$venv/bin/python" -m pip install $TEAPOT_PIP_FLAGS "$spec"; then
        "$venv/bin/python" -c 'import django; print("test: Django", django.get_version())'
        for db in ${TEAPOT_TEST_DATABASES:-sqlite postgresql mysql}; do
            run_pytest "adapter tests on $db under ${label}" "$venv/bin/python" tests/adapter --db="$db" "$@"
        done
    else
        failed+=("venv for $label")
    fi
}

# newer_python: a Python 3.12 or later for Django 6.x (TEAPOT_TEST_PYTHON_NEW, else the test's
# own Python if new enough, else 3.12 then 3.13, on PATH or installed by pyenv); empty when
# there is none.
newer_python() {
    local candidate
    for candidate in "${TEAPOT_TEST_PYTHON_NEW:-}" "$PYTHON" python3.12 "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12*/bin/python \
        python3.13 "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.13*/bin/python; do
        [ -n "$candidate" ] || continue
        if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
            command -v "$candidate"
            return
        fi
    done
}

adapter_tests_under "$ROOT/.venv-test-django42" "$PYTHON" "${TEAPOT_TEST_DJANGO_OLD:-Django>=4.2,<5.0}" "$@"

NEW_PYTHON=$(newer_python)
if [ -n "$NEW_PYTHON" ]; then
    adapter_tests_under "$ROOT/.venv-test-django6" "$NEW_PYTHON" "${TEAPOT_TEST_DJANGO_NEW:-Django>=6.1,<6.2}" "$@"
else
    echo "test: no Python 3.12 or later found for Django 6.x (set TEAPOT_TEST_PYTHON_NEW)" >&2
    failed+=("adapter tests under Django 6.x (no Python 3.12)")
fi

# The conformance subset: Django's own tests of the apps in tests/conformance/floor.json,
# transformed to async, on each database; fails when an app scores below its floor.
for db in ${TEAPOT_TEST_DATABASES:-sqlite postgresql mysql}; do
    step "python tools/django_suite.py --backend $db --subset --floor tests/conformance/floor.json"
    "$VENV/bin/python" tools/django_suite.py --backend "$db" --subset --floor tests/conformance/floor.json \
        || failed+=("conformance subset on $db")
done

step "tools/check_coexistence.sh"
PYTHON=$PYTHON bash tools/check_coexistence.sh || failed+=("coexistence")

echo
if [ "${#failed[@]}" -ne 0 ]; then
    printf 'test: FAILED after %ss: %s\n' "$((SECONDS - started))" "$(IFS=,; echo "${failed[*]}" | sed 's/,/, /g')" >&2
    exit 1
fi
echo "test: all passed in $((SECONDS - started))s"
