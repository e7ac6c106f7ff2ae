#!/usr/bin/env bash
# Durable bulk throughput against the non-durable delivery engine, in one run, into Postfix's smtp-sink
# (127.0.0.1:2526, started by scripts/servers/start.sh): the Mailer alone (benchmarks/MailActors.MailerBench), then the
# outbox on SQLite and on PostgreSQL (benchmarks/MailActors.OutboxBench: every message journaled Accepted, Attempted and
# Delivered before it counts). Same sessions, message count and size for all three. Prints msg/s, client CPU seconds,
# peak RSS and garbage collections (count per generation, pause, bytes allocated) for each, and the outbox's rates as a
# fraction of the Mailer's.
#
#   bash benchmarks/outbox/compare.sh                      # 20 sessions x 20,000 messages x 2 KB
#   SESSIONS=50 MESSAGES=100000 bash benchmarks/outbox/compare.sh
#   ROUNDS=5 bash benchmarks/outbox/compare.sh             # the three runs 5 times over, then the medians
#
# msg/s here is the program's own clock (first enqueue to last journaled outcome; start-up and store creation excluded).
# On a shared VM the speed drifts by tens of percent between minutes, so each round runs the three programs back to
# back and its ratios compare neighbours; with ROUNDS > 1 the summary is the median of the rounds' ratios.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

SESSIONS=${SESSIONS:-20}
MESSAGES=${MESSAGES:-20000}
SIZE=${SIZE:-2048}
IN_FLIGHT=${IN_FLIGHT:-1000}
PARTITIONS=${PARTITIONS:-4}
ROUNDS=${ROUNDS:-1}
source benchmarks/common.sh
prepare_machine
SINK="$HOST:$SINK_PORT"
pg=$(bash scripts/servers/postgres.sh | sed -n 's/^MAILACTORS_POSTGRES=//p')

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# ReadyToRun unless crossgen fails (then plain builds for both), as in benchmarks/load/compare.sh: benchmarks/common.sh.
echo "publishing the benchmarks (Release)..." >&2
publish_all benchmarks/MailActors.MailerBench/MailActors.MailerBench.csproj="$work/mailer" \
  benchmarks/MailActors.OutboxBench/MailActors.OutboxBench.csproj="$work/outbox"
echo "build: $BUILD_KIND" >&2

declare -A rate
declare -A ratios # store -> the rounds' ratios, space separated
run() { # name command...
  local name=$1; shift
  /usr/bin/time -f '%U %S %M' -o "$work/$name.time" "$@" >"$work/$name.out" 2>&1 || { echo "$name failed:" >&2; cat "$work/$name.out" >&2; exit 1; }
  local r cpu rss
  r=$(grep -o 'msg_per_s=[0-9]*' "$work/$name.out" | head -1 | cut -d= -f2)
  read -r cpu rss < <(awk '{ printf "%.2f %.0f\n", $1 + $2, $3 / 1024 }' "$work/$name.time")
  rate[$name]=$r
  printf "%-16s %8s %10s %12s %10s\n" "$name" "$r" "$cpu" "$(awk -v c="$cpu" -v m="$MESSAGES" 'BEGIN { printf "%.0f", c * 1e6 / m }')" "$rss"
}
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo
echo "== $SESSIONS sessions x $MESSAGES messages x $SIZE B -> smtp-sink $SINK (outbox: in-flight $IN_FLIGHT, $PARTITIONS partitions) =="
for round in $(seq "$ROUNDS"); do
  [[ $ROUNDS -gt 1 ]] && echo && echo "-- round $round of $ROUNDS"
  printf "%-16s %8s %10s %12s %10s\n" run "msg/s" "CPU s" "CPU us/msg" "peak MiB"
  run mailer dotnet "$work/mailer/MailActors.MailerBench.dll" "$SINK" "$SESSIONS" "$MESSAGES" "$SIZE"
  run outbox-sqlite dotnet "$work/outbox/MailActors.OutboxBench.dll" "$SINK" "$SESSIONS" "$MESSAGES" "$SIZE" "sqlite:$work/bench.db" "$IN_FLIGHT" "$PARTITIONS"
  run outbox-postgres dotnet "$work/outbox/MailActors.OutboxBench.dll" "$SINK" "$SESSIONS" "$MESSAGES" "$SIZE" "postgres:$pg;Database=mailactors_outbox_bench" "$IN_FLIGHT" "$PARTITIONS"
  echo
  # Garbage collections (gen0/gen1/gen2), their total pause and the bytes allocated, as each program reported them.
  for name in mailer outbox-sqlite outbox-postgres; do
    printf "%-16s %s\n" "$name" "$(grep -o 'gc=[0-9/]* gc_pause_ms=[0-9]* allocated_mb=[0-9]*' "$work/$name.out")"
  done
  echo
  for store in sqlite postgres; do
    ratios[$store]+=" $(awk -v o="${rate[outbox-$store]}" -v m="${rate[mailer]}" 'BEGIN { printf "%.4f", o / m }')"
    awk -v o="${rate[outbox-$store]}" -v m="${rate[mailer]}" -v s="$store" 'BEGIN {
      printf "outbox on %s: %d msg/s = %.0f%% of the non-durable Mailer", s, o, 100 * o / m
      if (s == "sqlite") printf " (target >= 2,000 msg/s and >= 50%%: %s)", (o >= 2000 && o >= m / 2) ? "met" : "NOT met"
      printf "\n" }'
  done
done
if [[ $ROUNDS -gt 1 ]]; then
  echo
  echo "== medians of $ROUNDS rounds =="
  for store in sqlite postgres; do
    echo "outbox on $store: $(echo "${ratios[$store]}" | median | awk '{ printf "%.1f%%", 100 * $1 }') of the Mailer (rounds:$(for x in ${ratios[$store]}; do awk -v x="$x" 'BEGIN { printf " %.0f%%", 100 * x }'; done))"
  done
fi
