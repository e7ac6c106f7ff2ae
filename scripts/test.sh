#!/usr/bin/env bash
# The project's test command: installs and starts the real mail servers the interop tests use, then runs every test.
# Extra arguments go to `dotnet test`. The servers are left running (start.sh reuses them next time).
# Ends with a plain "N passed, N failed" line summed over all test assemblies; the exit code is dotnet test's.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/servers/install.sh
bash scripts/servers/start.sh

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test MailActors.sln "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# dotnet test prints one "Passed!  - Failed:     0, Passed:     9, Skipped: ..." line per test assembly.
read -r passed failed < <(sed -nE 's/.*(Passed|Failed)! +- +Failed: +([0-9]+), +Passed: +([0-9]+),.*/\3 \2/p' "$log" |
  awk '{ p += $1; f += $2 } END { print p + 0, f + 0 }')
echo "tests: $passed passed, $failed failed"
exit "$status"
