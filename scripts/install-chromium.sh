#!/usr/bin/env bash
# Installs Debian's headless-capable Chromium for the HTML report test (tests/MailActors.Cli.Tests render the load
# report and take a screenshot). Idempotent: a fast no-op when chromium is present. Called by scripts/test.sh.
set -euo pipefail
export PATH="/usr/sbin:/sbin:$PATH"

if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "install-chromium.sh: chromium is missing and this is not root; install the 'chromium' package first" >&2
  exit 1
fi

echo "install-chromium.sh: installing chromium" >&2
export DEBIAN_FRONTEND=noninteractive
install() { apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core </dev/null; }
# A fresh machine has empty package lists; refresh once, and retry once more after a refresh if the install fails.
if ! compgen -G "/var/lib/apt/lists/*_Packages*" >/dev/null; then
  apt-get update -q </dev/null
  install
elif ! install; then
  apt-get update -q </dev/null
  install
fi
