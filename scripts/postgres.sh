#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests (and for trying tracker on PostgreSQL by hand).
#
#   scripts/postgres.sh [start] [DIR]   start (or find running) the server whose cluster is in DIR
#                                       (default .pg/ in the repository); print its SQLAlchemy URL
#   scripts/postgres.sh stop [DIR]      stop it (nothing to do if it is not running)
#
# Idempotent: a cluster already in DIR is reused, a running server is left running. The server
# listens only on 127.0.0.1, on a free port, with trust authentication and no unix socket; it is
# tuned for throwaway data (fsync off). Without initdb/pg_ctl, as root with apt-get, it installs
# Debian's `postgresql` package first. initdb refuses to run as root, so as root the cluster
# belongs to the `postgres` system user (made by that package). On failure the last line on
# stderr says why, and the exit code is 1.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATABASE=tracker
SUPERUSER=postgres

fail() { echo "postgres.sh: $*" >&2; exit 1; }
note() { echo "postgres.sh: $*" >&2; }

action=start
case "${1:-}" in
    start|stop) action=$1; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
esac
DIR="${1:-$ROOT/.pg}"
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
DATA="$DIR/data"

find_bindir() {
    local candidate
    candidate="$(command -v pg_ctl 2>/dev/null || true)"
    if [[ -n "$candidate" && -x "$(dirname "$(readlink -f "$candidate")")/initdb" ]]; then
        dirname "$(readlink -f "$candidate")"
        return
    fi
    # Debian keeps the server binaries off PATH; take the newest version installed.
    for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [[ -x "$candidate/initdb" && -x "$candidate/pg_ctl" ]]; then
            echo "$candidate"
            return
        fi
    done
}

install_server() {
    [[ $EUID -eq 0 ]] || fail "PostgreSQL (initdb, pg_ctl) is not installed and we are not root to install it"
    command -v apt-get >/dev/null || fail "PostgreSQL (initdb, pg_ctl) is not installed and there is no apt-get"
    note "installing Debian's postgresql package"
    local install=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql)
    if ! "${install[@]}" >&2; then
        note "install failed; updating the package lists and trying again"
        apt-get update -q >&2 || fail "apt-get update failed"
        "${install[@]}" >&2 || fail "apt-get install postgresql failed"
    fi
}

BINDIR="$(find_bindir)"
if [[ -z "$BINDIR" ]]; then
    [[ $action == stop ]] && exit 0  # nothing installed, so nothing can be running
    install_server
    BINDIR="$(find_bindir)"
    [[ -n "$BINDIR" ]] || fail "postgresql installed, but initdb and pg_ctl are still not found"
fi

# Commands that touch the cluster run as its owner: us, or `postgres` when we are root.
if [[ $EUID -eq 0 ]]; then
    getent passwd postgres >/dev/null || fail "running as root and there is no postgres user to own the cluster"
    as_owner() { runuser -u postgres -- "$@"; }
    chown postgres: "$DIR"
    as_owner test -w "$DIR" || fail "the postgres user cannot write to $DIR (is a parent folder closed to it?)"
else
    as_owner() { "$@"; }
fi

running() { [[ -f "$DATA/PG_VERSION" ]] && as_owner "$BINDIR/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

if [[ $action == stop ]]; then
    if running; then
        as_owner "$BINDIR/pg_ctl" -D "$DATA" stop -m fast -w >/dev/null
    fi
    exit 0
fi

url() { echo "postgresql+psycopg://$SUPERUSER@127.0.0.1:$(cat "$DIR/port")/$DATABASE"; }

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
        || echo $((20000 + RANDOM % 40000))
}

if ! running; then
    if [[ ! -f "$DATA/PG_VERSION" ]]; then
        as_owner "$BINDIR/initdb" -D "$DATA" -U "$SUPERUSER" --auth=trust -E UTF8 --locale=C.UTF-8 \
            --no-sync >"$DIR/initdb.log" 2>&1 || { tail -n 5 "$DIR/initdb.log" >&2; fail "initdb failed (see $DIR/initdb.log)"; }
    fi
    started=""
    for _ in 1 2 3 4 5; do  # a port found free may be taken before the server binds it
        port="$(free_port)"
        options="-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories= \
-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        if as_owner "$BINDIR/pg_ctl" -D "$DATA" -l "$DIR/server.log" -o "$options" -w -t 60 start >/dev/null; then
            echo "$port" >"$DIR/port"
            started=1
            break
        fi
        grep -q "already in use" "$DIR/server.log" 2>/dev/null || break
    done
    [[ -n "$started" ]] || { tail -n 5 "$DIR/server.log" >&2 2>/dev/null || true; fail "the server did not start (see $DIR/server.log)"; }
fi

port="$(cat "$DIR/port")"
psql_=(as_owner "$BINDIR/psql" -X -q -h 127.0.0.1 -p "$port" -U "$SUPERUSER" -d postgres -v ON_ERROR_STOP=1 -tA)
if [[ "$("${psql_[@]}" -c "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'")" != 1 ]]; then
    "${psql_[@]}" -c "CREATE DATABASE $DATABASE" || fail "could not create database $DATABASE"
fi
url
