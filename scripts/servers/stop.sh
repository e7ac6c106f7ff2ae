#!/usr/bin/env bash
# Stops the private server instances that own the test ports (and this checkout's, if different).
# --purge also deletes this checkout's state dir (certificate, maildirs, logs).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
take_lock

if active=$(active_state); then
  set_paths "$active"
  stop_instance
fi
if [[ -d "$REQUESTED_STATE" ]]; then
  set_paths "$(realpath "$REQUESTED_STATE")"
  stop_instance
fi
kill_port_holders
rm -f "$ACTIVE_POINTER"

if [[ "${1:-}" == "--purge" && -e "$REQUESTED_STATE" ]]; then
  real=$(realpath "$REQUESTED_STATE")
  if [[ -f "$real/.mailactors-servers" ]]; then
    rm -rf "$real" "$REQUESTED_STATE"
    log "removed $REQUESTED_STATE"
  fi
fi
log "stopped"
