#!/usr/bin/env bash
# Starts a private PostgreSQL cluster on 127.0.0.1:$POSTGRES_PORT (ports.env) for the outbox tests and benchmarks:
# its own data directory (initdb on first use), trust authentication on loopback only, run as the `postgres` user
# (the server refuses to run as root). Idempotent: returns at once when the cluster already answers.
# The last stdout line is MAILACTORS_POSTGRES=<Npgsql connection string without a database>.
set -euo pipefail
umask 022
source "$(dirname "${BASH_SOURCE[0]}")/ports.env"
export PATH="/usr/sbin:/sbin:$PATH"
log() { echo "postgres: $*" >&2; }

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [[ -z "$PG_BIN" || ! -x "$PG_BIN/initdb" ]]; then log "PostgreSQL not installed: run scripts/servers/install.sh first"; exit 1; fi
if [[ $(id -u) -ne 0 ]]; then log "must run as root (it starts the cluster as the postgres user)"; exit 1; fi
id "$POSTGRES_USER" >/dev/null 2>&1 || { log "no $POSTGRES_USER system user (the Debian package creates it)"; exit 1; }

BASE=/var/tmp/mailactors-postgres
DATA=$BASE/data
RUN=$BASE/run
LOGFILE=$BASE/postgres.log
announce() { echo "MAILACTORS_POSTGRES=Host=$HOST;Port=$POSTGRES_PORT;Username=$POSTGRES_USER"; }
as_pg() { runuser -u "$POSTGRES_USER" -- "$@"; }

exec 8>/tmp/mailactors-postgres.lock
flock -w 300 8 || { log "timed out waiting for /tmp/mailactors-postgres.lock"; exit 1; }

if "$PG_BIN/pg_isready" -q -h "$HOST" -p "$POSTGRES_PORT" -t 2; then announce; exit 0; fi

mkdir -p "$BASE" "$RUN"
chown "$POSTGRES_USER:$POSTGRES_USER" "$BASE" "$RUN"
chmod 755 "$BASE"
if [[ ! -s "$DATA/PG_VERSION" ]]; then
  log "initdb $DATA"
  rm -rf "$DATA"
  as_pg "$PG_BIN/initdb" -D "$DATA" -U "$POSTGRES_USER" -A trust -E UTF8 --locale=C.UTF-8 >"$BASE/initdb.log" 2>&1 \
    || { cat "$BASE/initdb.log" >&2; exit 1; }
fi
# A stale pid file from a killed cluster would stop pg_ctl; the server is not running (pg_isready said so).
if [[ -f "$DATA/postmaster.pid" ]] && ! as_pg "$PG_BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
  rm -f "$DATA/postmaster.pid"
fi
log "starting on $HOST:$POSTGRES_PORT"
# 8>&- : the server must not inherit (and hold forever) the lock taken above.
as_pg "$PG_BIN/pg_ctl" -D "$DATA" -l "$LOGFILE" -w -t 60 start 8>&- \
  -o "-c listen_addresses=$HOST -c port=$POSTGRES_PORT -c unix_socket_directories=$RUN -c max_connections=300 -c shared_buffers=128MB" \
  >/dev/null || { tail -n 30 "$LOGFILE" >&2; exit 1; }
"$PG_BIN/pg_isready" -q -h "$HOST" -p "$POSTGRES_PORT" -t 30 || { log "not ready"; tail -n 30 "$LOGFILE" >&2; exit 1; }
announce
