#!/usr/bin/env bash
# Load generators head to head against Postfix's smtp-sink (127.0.0.1:2526, started by scripts/servers/start.sh):
# `mailactors load`, the delivery engine (benchmarks/MailActors.MailerBench: Mailer with a SESSIONS-session route),
# Postfix `smtp-source` and MailKit (benchmarks/MailKitLoad: N parallel reused SmtpClients), each
# with the same sessions, message count and body size. Prints msg/s, client CPU seconds and peak memory for each
# (/usr/bin/time -v), and the ratios against the targets. Then the scale check: SCALE_SESSIONS concurrent sessions
# held open (connect, EHLO, idle) by `mailactors load --hold`, with the load process's peak RSS.
#
#   bash benchmarks/load/compare.sh                  # 20 sessions x 20,000 messages x 2 KB, then 10,000 held sessions
#   SESSIONS=50 MESSAGES=100000 bash benchmarks/load/compare.sh
#   SKIP_SCALE=1 bash benchmarks/load/compare.sh     # only the comparison; SKIP_COMPARE=1 for only the scale check
#   R2R=0 SKIP_SCALE=1 bash benchmarks/load/compare.sh  # plain Release (JIT) builds instead of ReadyToRun
#   ROUNDS=5 SKIP_SCALE=1 bash benchmarks/load/compare.sh  # the four runs 5 times over, then the medians of the ratios
#
# On a small shared VM one round swings by a third from one minute to the next (smtp-source alike), so each round's
# ratios compare neighbours, and with ROUNDS > 1 the summary is the median of the rounds' ratios.
#
# msg/s is messages / wall-clock time of the whole process (start-up included) for all three tools, because
# smtp-source reports no timing of its own; mailactors' own sending rate (start-up excluded) is printed alongside.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

SESSIONS=${SESSIONS:-20}
MESSAGES=${MESSAGES:-20000}
SIZE=${SIZE:-2048}
SCALE_SESSIONS=${SCALE_SESSIONS:-10000}
SCALE_SECONDS=${SCALE_SECONDS:-20}
SCALE_PORT=${SCALE_PORT:-2527}
ROUNDS=${ROUNDS:-1}
source benchmarks/common.sh
prepare_machine
SINK="$HOST:$SINK_PORT"

work=$(mktemp -d)
# ReadyToRun unless crossgen fails (then plain builds for all): benchmarks/common.sh.
echo "publishing mailactors, MailKitLoad and MailActors.MailerBench (Release)..." >&2
publish_all src/MailActors.Cli/MailActors.Cli.csproj="$work/mailactors" \
  benchmarks/MailKitLoad/MailKitLoad.csproj="$work/mailkit" \
  benchmarks/MailActors.MailerBench/MailActors.MailerBench.csproj="$work/mailer"
echo "build: $BUILD_KIND" >&2
MAILACTORS=(dotnet "$work/mailactors/MailActors.Cli.dll")
MAILER=(dotnet "$work/mailer/MailActors.MailerBench.dll")
MAILKIT=(dotnet "$work/mailkit/MailKitLoad.dll")

cleanup() {
  if [[ -n "${sink_pid:-}" ]]; then kill "$sink_pid" 2>/dev/null || true; wait "$sink_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Runs "$@" under /usr/bin/time -v; sets WALL (s), CPU (user+sys s), RSS (MiB) and leaves the output in $work/$name.out.
measure() {
  local name=$1; shift
  /usr/bin/time -v -o "$work/$name.time" "$@" >"$work/$name.out" 2>&1 || { echo "$name failed:" >&2; cat "$work/$name.out" >&2; exit 1; }
  WALL=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$work/$name.time")
  CPU=$(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { printf "%.2f", u + s }' "$work/$name.time")
  RSS=$(awk -F': ' '/Maximum resident/ { printf "%.0f", $2 / 1024 }' "$work/$name.time")
}

declare -A rate cpu_per_msg
row() { # name wall cpu rss
  local r c
  r=$(awk -v m="$MESSAGES" -v w="$2" 'BEGIN { printf "%.0f", m / w }')
  c=$(awk -v m="$MESSAGES" -v c="$3" 'BEGIN { printf "%.1f", c * 1e6 / m }')
  rate[$1]=$r; cpu_per_msg[$1]=$c
  printf "%-12s %8.2f %10s %10.2f %12s %10s\n" "$1" "$2" "$r" "$3" "$c" "$4"
}

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# name value target-text better(lt|gt) threshold: one ratio line, "met" or "NOT met".
verdict() {
  awk -v n="$1" -v r="$2" -v t="$3" -v cmp="$4" -v lim="$5" \
    'BEGIN { ok = (cmp == "gt") ? r >= lim : r <= lim; printf "%s: %.2fx (target %s: %s)\n", n, r, t, ok ? "met" : "NOT met" }'
}

if [[ -z "${SKIP_COMPARE:-}" ]]; then
declare -A ratios
for round in $(seq "$ROUNDS"); do
[[ $ROUNDS -gt 1 ]] && echo && echo "-- round $round of $ROUNDS"
echo
echo "== $SESSIONS sessions x $MESSAGES messages x $SIZE B body -> smtp-sink $SINK (connections reused, 1 recipient) =="
printf "%-12s %8s %10s %10s %12s %10s\n" tool "wall s" "msg/s" "CPU s" "CPU us/msg" "peak MiB"

measure mailactors "${MAILACTORS[@]}" load --host "$HOST" --port "$SINK_PORT" --sessions "$SESSIONS" --messages "$MESSAGES" --size "$SIZE" --quiet --json "$work/mailactors.json"
row mailactors "$WALL" "$CPU" "$RSS"
own_rate=$(grep -o '"messagesPerSecond": [0-9.]*' "$work/mailactors.json" | awk '{ print $2 }')
failed=$(grep -o '"failed": [0-9]*' "$work/mailactors.json" | head -1 | awk '{ print $2 }')

measure smtp-source smtp-source -s "$SESSIONS" -m "$MESSAGES" -l "$SIZE" -d -f load@example.test -t rcpt@example.test "$SINK"
row smtp-source "$WALL" "$CPU" "$RSS"

measure mailkit "${MAILKIT[@]}" "$HOST" "$SINK_PORT" "$SESSIONS" "$MESSAGES" "$SIZE"
row mailkit "$WALL" "$CPU" "$RSS"

measure mailer "${MAILER[@]}" "$SINK" "$SESSIONS" "$MESSAGES" "$SIZE"
row mailer "$WALL" "$CPU" "$RSS"

echo
echo "mailactors' own sending rate (first message to last reply, start-up excluded): $own_rate msg/s; failed messages: $failed"
r1=$(awk -v a="${rate[mailactors]}" -v s="${rate[smtp-source]}" 'BEGIN { print a / s }')
r2=$(awk -v a="${cpu_per_msg[mailactors]}" -v k="${cpu_per_msg[mailkit]}" 'BEGIN { print a / k }')
r3=$(awk -v a="${rate[mailer]}" -v s="${rate[smtp-source]}" 'BEGIN { print a / s }')
r4=$(awk -v a="${cpu_per_msg[mailer]}" -v k="${cpu_per_msg[mailkit]}" 'BEGIN { print a / k }')
verdict "msg/s, mailactors / smtp-source" "$r1" ">= 1.5x" gt 1.5
verdict "CPU per message, mailactors / MailKit" "$r2" "<= 0.5x" lt 0.5
verdict "msg/s, Mailer / smtp-source" "$r3" ">= 1.5x" gt 1.5
verdict "CPU per message, Mailer / MailKit" "$r4" "<= 0.5x" lt 0.5
ratios[r1]+=" $r1"; ratios[r2]+=" $r2"; ratios[r3]+=" $r3"; ratios[r4]+=" $r4"
done

if [[ $ROUNDS -gt 1 ]]; then
  echo
  echo "== medians of $ROUNDS rounds =="
  verdict "msg/s, mailactors / smtp-source" "$(echo "${ratios[r1]}" | median)" ">= 1.5x" gt 1.5
  verdict "CPU per message, mailactors / MailKit" "$(echo "${ratios[r2]}" | median)" "<= 0.5x" lt 0.5
  verdict "msg/s, Mailer / smtp-source" "$(echo "${ratios[r3]}" | median)" ">= 1.5x" gt 1.5
  verdict "CPU per message, Mailer / MailKit" "$(echo "${ratios[r4]}" | median)" "<= 0.5x" lt 0.5
fi
fi

if [[ -n "${SKIP_SCALE:-}" ]]; then exit 0; fi

echo
echo "== scale: $SCALE_SESSIONS concurrent sessions held open (connect, EHLO, idle ${SCALE_SECONDS}s) =="
# File descriptors: each process (the load and the sink) needs one per session, plus slack; capped by the hard limit.
want=$(( SCALE_SESSIONS + 1024 ))
hard=$(ulimit -Hn)
if [[ "$hard" != unlimited && "$hard" -lt "$want" ]]; then
  ulimit -Hn "$want" 2>/dev/null || { echo "compare.sh: the hard open-files limit is $hard, below the $want needed" >&2; want=$hard; }
fi
ulimit -n "$want"
# The sink for the hold is `mailactors sink` in its own process: Postfix's smtp-sink slows to a crawl with thousands
# of idle connections (measured here: about 150 new sessions/s once a few thousand are open), which would measure it.
"${MAILACTORS[@]}" sink --port "$SCALE_PORT" --quiet --idle-timeout 10m --starttls off >"$work/sink.out" 2>&1 &
sink_pid=$!
for _ in $(seq 100); do
  if grep -q "listening on" "$work/sink.out" 2>/dev/null; then break; fi
  sleep 0.1
done
measure hold "${MAILACTORS[@]}" load --host "$HOST" --port "$SCALE_PORT" --hold --sessions "$SCALE_SESSIONS" --duration "${SCALE_SECONDS}s" \
  --connect-rate 2000 --timeout 60 --quiet --json "$work/hold.json"
peak=$(grep -o '"peakSessions": [0-9]*' "$work/hold.json" | awk '{ print $2 }')
conn_failed=$(grep -o '"connectionsFailed": [0-9]*' "$work/hold.json" | awk '{ print $2 }')
echo "sessions held at once: $peak of $SCALE_SESSIONS (failed connects: $conn_failed); load process peak RSS: $RSS MiB; CPU $CPU s; wall $WALL s"
awk -v p="$peak" -v want="$SCALE_SESSIONS" -v rss="$RSS" 'BEGIN { printf "target (%d sessions under 512 MiB RSS): %s\n", want, ((p >= want && rss < 512) ? "met" : "NOT met") }'
