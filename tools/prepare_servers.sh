#!/usr/bin/env bash
# Prepare this machine's database servers for the tests (tools/test.sh runs it first):
#
#   bash tools/prepare_servers.sh [sqlite] [postgresql] [mysql]
#
# For each server named (default: postgresql mysql):
# - PostgreSQL (127.0.0.1:5432, user postgres): started when it does not accept connections;
#   pgbouncer installed when missing (Debian's package; the transaction-mode tests start
#   their own pgbouncer process); the test databases created.
# - MariaDB (127.0.0.1:3306, root): started when it does not accept connections; its time-zone
#   tables loaded when empty (the time-zone tests need CONVERT_TZ); the test databases created.
# Servers given by TEAPOT_TEST_POSTGRESQL_URL / TEAPOT_TEST_MYSQL_URL are someone else's: they
# are neither started nor changed. Idempotent: a prepared machine costs a few connections.
set -euo pipefail

START_TIMEOUT=${START_TIMEOUT:-60}
TEST_DATABASES="teapot_test teapot_test_tz teapot_test_replica teapot_test_other"

log() { echo "servers: $*"; }
die() { echo "servers: $*" >&2; exit 1; }

# wait_until NAME SECONDS COMMAND...: poll COMMAND once a second until it succeeds.
wait_until() {
    local name=$1 timeout=$2 deadline
    shift 2
    deadline=$((SECONDS + timeout))
    until "$@" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || die "$name does not accept connections after ${timeout}s"
        sleep 1
    done
    log "$name accepts connections"
}

# as_root COMMAND...: run a system command that needs root, or say what to run.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo "$@"
    else
        die "needs root: $* (run it, or this script, as root)"
    fi
}

pg_ready() { pg_isready -q -h 127.0.0.1 -p 5432 -U postgres; }
mariadb_ready() { mariadb -h 127.0.0.1 -P 3306 -u root --connect-timeout=2 -N -e 'SELECT 1'; }

prepare_postgresql() {
    if pg_ready; then
        log "PostgreSQL is running"
    else
        local version
        version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
        [ -n "$version" ] || die "PostgreSQL is not running and not installed (/etc/postgresql is empty)"
        log "starting PostgreSQL $version"
        # Fails harmlessly if the cluster is already starting; readiness is what counts.
        as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
        wait_until PostgreSQL "$START_TIMEOUT" pg_ready
    fi
    if command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ]; then
        log "pgbouncer is installed"
    else
        log "installing pgbouncer (Debian's package)"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends pgbouncer >/dev/null
        # The package starts a service of its own on 6432; the tests run their own process.
        as_root service pgbouncer stop >/dev/null 2>&1 || true
    fi
    local name
    for name in $TEST_DATABASES; do
        if [ -z "$(psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'")" ]; then
            log "creating PostgreSQL database $name"
            psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $name"
        fi
    done
}

prepare_mariadb() {
    if mariadb_ready >/dev/null 2>&1; then
        log "MariaDB is running"
    else
        [ -x /usr/sbin/mariadbd ] || die "MariaDB is not running and not installed (/usr/sbin/mariadbd)"
        log "starting MariaDB"
        if id mysql >/dev/null 2>&1; then
            as_root install -d -o mysql -g mysql /run/mysqld
        fi
        as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
        wait_until MariaDB "$START_TIMEOUT" mariadb_ready
    fi
    local zones name
    zones=$(mariadb -h 127.0.0.1 -P 3306 -u root -N -e 'SELECT COUNT(*) FROM mysql.time_zone_name')
    if [ "$zones" = "0" ]; then
        log "loading MariaDB's time-zone tables"
        mariadb-tzinfo-to-sql /usr/share/zoneinfo 2>/dev/null | mariadb -h 127.0.0.1 -P 3306 -u root mysql
    fi
    for name in $TEST_DATABASES; do
        mariadb -h 127.0.0.1 -P 3306 -u root -e "CREATE DATABASE IF NOT EXISTS $name CHARACTER SET utf8mb4"
    done
}

for db in "${@:-postgresql mysql}"; do
    for one in $db; do
        case "$one" in
            sqlite) ;;
            postgresql) [ -n "${TEAPOT_TEST_POSTGRESQL_URL:-}" ] && log "PostgreSQL at \$TEAPOT_TEST_POSTGRESQL_URL: left as it is" || prepare_postgresql ;;
            mysql) [ -n "${TEAPOT_TEST_MYSQL_URL:-}" ] && log "MySQL at \$TEAPOT_TEST_MYSQL_URL: left as it is" || prepare_mariadb ;;
            *) die "unknown database $one (sqlite, postgresql, mysql)" ;;
        esac
    done
done
