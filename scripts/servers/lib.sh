# Shared by start.sh, stop.sh and status.sh: paths of the private instances and health checks.
# shellcheck shell=bash

# Daemons and their tools live in sbin, which a CI or sudo PATH may lack.
export PATH="/usr/sbin:/sbin:$PATH"

SERVERS_SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SERVERS_SCRIPTS/../.." && pwd)
# shellcheck source=ports.env
source "$SERVERS_SCRIPTS/ports.env"

# Ports are fixed, so one instance serves the whole machine; this file names the state dir that owns them.
ACTIVE_POINTER=/tmp/mailactors-servers.active
LOCK_FILE=/tmp/mailactors-servers.lock

REQUESTED_STATE=${MAILACTORS_SERVERS_DIR:-$REPO_ROOT/.servers}

log() { echo "servers: $*" >&2; }

take_lock() {
  exec 9>"$LOCK_FILE"
  flock -w 300 9 || { log "timed out waiting for $LOCK_FILE"; exit 1; }
}

# Sets the path variables of the instance whose (real) state dir is $1.
set_paths() {
  STATE=$1
  PF_CONF=$STATE/postfix/conf
  PF_QUEUE=$STATE/postfix/queue
  PF_DATA=$STATE/postfix/data
  DC_DIR=$STATE/dovecot
  DC_CONF=$DC_DIR/dovecot.conf
  DC_USERS=$DC_DIR/users
  DC_BASE=$DC_DIR/run
  DC_STATE=$DC_DIR/state
  SINK_PID=$STATE/smtp-sink.pid
  MAIL_BASE=$STATE/mail
  LOG_DIR=$STATE/logs
  CERT=$STATE/cert.pem
  KEY=$STATE/key.pem
  FINGERPRINT_FILE=$STATE/fingerprint
}

# Changes to these files change the generated configuration, so a running instance built from others is stale.
current_fingerprint() {
  cat "$SERVERS_SCRIPTS/start.sh" "$SERVERS_SCRIPTS/lib.sh" "$SERVERS_SCRIPTS/ports.env" | sha256sum | cut -d' ' -f1
}

pid_alive() { [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null; }
read_pid() { [[ -r "$1" ]] && tr -dc '0-9' <"$1" || true; }

# First line a plain-TCP server sends, or nothing within the timeout.
plain_banner() {
  local port=$1 line=""
  if { exec 3<>"/dev/tcp/$HOST/$port"; } 2>/dev/null; then
    IFS= read -r -t 3 line <&3 || true
    exec 3<&- 3>&-
  fi
  printf '%s' "${line%$'\r'}"
}

# First line a TLS server sends after a handshake that validates against our certificate.
tls_banner() {
  local port=$1
  timeout 5 openssl s_client -connect "$HOST:$port" -CAfile "$CERT" -verify_return_error -verify_hostname localhost \
    -quiet -no_ign_eof < <(sleep 0.5) 2>/dev/null | head -n 1 | tr -d '\r' || true
}

# Every endpoint answers as expected: SMTP ports with 220, POP3 ports with +OK.
endpoints_healthy() {
  [[ $(plain_banner "$SMTP_PORT") == 220* ]] || return 1
  [[ $(plain_banner "$SUBMISSION_PORT") == 220* ]] || return 1
  [[ $(plain_banner "$SINK_PORT") == 220* ]] || return 1
  [[ $(plain_banner "$POP3_PORT") == +OK* ]] || return 1
  [[ -r "$CERT" ]] || return 1
  [[ $(tls_banner "$SMTPS_PORT") == 220* ]] || return 1
  [[ $(tls_banner "$POP3S_PORT") == +OK* ]] || return 1
}

# The instance of the current paths runs, is built from the current scripts, and answers on every port.
instance_healthy() {
  [[ -d "$STATE" ]] || return 1
  [[ "$(cat "$FINGERPRINT_FILE" 2>/dev/null)" == "$(current_fingerprint)" ]] || return 1
  pid_alive "$(read_pid "$PF_QUEUE/pid/master.pid")" || return 1
  pid_alive "$(read_pid "$DC_BASE/master.pid")" || return 1
  pid_alive "$(read_pid "$SINK_PID")" || return 1
  endpoints_healthy
}

all_ports() { echo "$SMTP_PORT $SMTPS_PORT $SUBMISSION_PORT $SINK_PORT $POP3_PORT $POP3S_PORT"; }

# PIDs of processes listening on one of our ports, whoever started them.
port_holders() {
  local port
  for port in $(all_ports); do
    ss -ltnpH "sport = :$port" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2 || true
  done | sort -u
}

wait_for_exit() {
  local pid=$1 i
  for ((i = 0; i < 50; i++)); do pid_alive "$pid" || return 0; sleep 0.1; done
  return 1
}

# Stops the instance of the current paths, if any part of it runs.
stop_instance() {
  local pid
  if [[ -f "$PF_CONF/main.cf" ]] && pid_alive "$(read_pid "$PF_QUEUE/pid/master.pid")"; then
    pid=$(read_pid "$PF_QUEUE/pid/master.pid")
    postfix -c "$PF_CONF" stop </dev/null >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
    wait_for_exit "$pid" || kill -9 "$pid" 2>/dev/null || true
  fi
  for pidfile in "$DC_BASE/master.pid" "$SINK_PID"; do
    pid=$(read_pid "$pidfile")
    if pid_alive "$pid"; then
      kill "$pid" 2>/dev/null || true
      wait_for_exit "$pid" || kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
  done
}

# Ends whatever still listens on our ports (e.g. an instance whose state dir was deleted).
kill_port_holders() {
  local pids pid
  pids=$(port_holders)
  [[ -z "$pids" ]] && return 0
  log "ending stale listeners on our ports: $(echo $pids)"
  for pid in $pids; do kill "$pid" 2>/dev/null || true; done
  for pid in $pids; do wait_for_exit "$pid" || kill -9 "$pid" 2>/dev/null || true; done
}

# The state dir of the instance that owns the ports, when it still exists.
active_state() {
  local dir
  dir=$(cat "$ACTIVE_POINTER" 2>/dev/null || true)
  [[ -n "$dir" && -d "$dir" ]] && printf '%s' "$dir"
}
