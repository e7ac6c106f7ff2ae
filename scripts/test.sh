#!/usr/bin/env bash
# The project's test command: installs and starts the real mail servers the interop tests use, then runs every test.
# Extra arguments go to `dotnet test`. The servers are left running (start.sh reuses them next time).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/servers/install.sh
bash scripts/servers/start.sh
exec dotnet test MailActors.sln "$@"
