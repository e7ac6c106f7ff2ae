#!/usr/bin/env bash
# Recovery of a large backlog after a crash (benchmarks/MailActors.RecoveryBench): MESSAGES messages are queued for a
# destination that is down, so all of them are deferred; the process is killed with SIGKILL; a new process starts on
# the same store with the destination up (Postfix's smtp-sink, 127.0.0.1:2526) and a clock two hours ahead, so the
# whole backlog is due at once. Prints, per store: the store's size, how long recovery took (every partition replayed),
# how long until the first and the last delivery, the CPU and peak memory of the recovering process. The filling
# process also prints the live managed heap per unfinished message, and the part of it beyond the content (state_b),
# which the outbox's memory bound estimates as 2 KB per message.
#
#   bash benchmarks/outbox/recovery.sh                     # 50,000 x 2 KB, SQLite then PostgreSQL
#   MESSAGES=200000 STORES=sqlite bash benchmarks/outbox/recovery.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

MESSAGES=${MESSAGES:-50000}
SIZE=${SIZE:-2048}
SESSIONS=${SESSIONS:-20}
STORES=${STORES:-"sqlite postgres"}
source benchmarks/common.sh
prepare_machine
SINK="$HOST:$SINK_PORT"

work=$(mktemp -d)
fill_pid=
cleanup() {
  if [[ -n "$fill_pid" ]]; then kill -9 "$fill_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
echo "publishing MailActors.RecoveryBench (Release)..." >&2
publish_all benchmarks/MailActors.RecoveryBench/MailActors.RecoveryBench.csproj="$work/bench"
echo "build: $BUILD_KIND" >&2
BENCH=(dotnet "$work/bench/MailActors.RecoveryBench.dll")

for kind in $STORES; do
  case $kind in
    sqlite) store="sqlite:$work/recovery.db" ;;
    postgres) store="postgres:$(bash scripts/servers/postgres.sh | sed -n 's/^MAILACTORS_POSTGRES=//p');Database=mailactors_recovery_bench" ;;
    *) echo "recovery.sh: unknown store $kind" >&2; exit 1 ;;
  esac
  echo
  echo "== $kind: $MESSAGES x $SIZE B deferred, SIGKILL, recovery into smtp-sink $SINK ($SESSIONS sessions) =="
  "${BENCH[@]}" fill "$store" "$MESSAGES" "$SIZE" >"$work/fill.out" 2>&1 &
  fill_pid=$!
  # Bounded: a fill that neither finishes nor fails within 10 minutes is a failure of this script.
  for _ in $(seq 3000); do
    if grep -q '^filled' "$work/fill.out" || ! kill -0 "$fill_pid" 2>/dev/null; then break; fi
    sleep 0.2
  done
  grep -q '^filled' "$work/fill.out" || { echo "fill did not finish:" >&2; cat "$work/fill.out" >&2; exit 1; }
  grep '^filled' "$work/fill.out"
  kill -9 "$fill_pid"; wait "$fill_pid" 2>/dev/null || true; fill_pid=
  if [[ $kind == sqlite ]]; then
    echo "store after the crash: $(du -cb "$work"/recovery.db* | awk 'END { printf "%.1f MiB", $1 / 1048576 }') (database, WAL and index)"
  fi
  /usr/bin/time -f '%U %S %M' -o "$work/recover.time" "${BENCH[@]}" recover "$store" "$SINK" "$SESSIONS" >"$work/recover.out" 2>&1 \
    || { echo "recovery failed:" >&2; cat "$work/recover.out" >&2; exit 1; }
  grep '^recover' "$work/recover.out"
  awk '{ printf "recovering process: CPU %.2f s, peak RSS %.0f MiB\n", $1 + $2, $3 / 1024 }' "$work/recover.time"
done
