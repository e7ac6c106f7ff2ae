#!/usr/bin/env bash
# Reports which state dir owns the test ports and whether every endpoint answers. Exit 0 only when all are healthy.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if active=$(active_state); then set_paths "$active"; else set_paths "$(realpath -m "$REQUESTED_STATE")"; fi
echo "state dir: $STATE"
printf '%-22s %s\n' "postfix master" "$(pid_alive "$(read_pid "$PF_QUEUE/pid/master.pid")" && echo "pid $(read_pid "$PF_QUEUE/pid/master.pid")" || echo down)"
printf '%-22s %s\n' "dovecot master" "$(pid_alive "$(read_pid "$DC_BASE/master.pid")" && echo "pid $(read_pid "$DC_BASE/master.pid")" || echo down)"
printf '%-22s %s\n' "smtp-sink" "$(pid_alive "$(read_pid "$SINK_PID")" && echo "pid $(read_pid "$SINK_PID")" || echo down)"
printf '%-22s %s\n' "smtp $SMTP_PORT" "$(plain_banner "$SMTP_PORT")"
printf '%-22s %s\n' "submission $SUBMISSION_PORT" "$(plain_banner "$SUBMISSION_PORT")"
printf '%-22s %s\n' "smtps $SMTPS_PORT" "$([[ -r $CERT ]] && tls_banner "$SMTPS_PORT")"
printf '%-22s %s\n' "smtp-sink $SINK_PORT" "$(plain_banner "$SINK_PORT")"
printf '%-22s %s\n' "pop3 $POP3_PORT" "$(plain_banner "$POP3_PORT")"
printf '%-22s %s\n' "pop3s $POP3S_PORT" "$([[ -r $CERT ]] && tls_banner "$POP3S_PORT")"
if instance_healthy; then echo "healthy"; else echo "NOT healthy (or built from older scripts)"; exit 1; fi
