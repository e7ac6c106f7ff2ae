#!/usr/bin/env bash
# Installs the Debian packages the real-server tests need (and chromium, in which a CLI test opens the load report).
# Idempotent: a fast no-op when all are present.
set -euo pipefail
export PATH="/usr/sbin:/sbin:$PATH"

PACKAGES=(postfix dovecot-core dovecot-pop3d swaks libnet-ssleay-perl openssl iproute2 postgresql chromium fonts-dejavu-core)

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "installed" ]] || missing+=("$pkg")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "install.sh: missing packages (${missing[*]}) and not root; install them first" >&2
  exit 1
fi

echo "install.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive

# Package maintainer scripts must not start system-wide daemons: the tests run private instances.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [[ ! -e "$policy" ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  created_policy=1
fi
cleanup() { if [[ $created_policy -eq 1 ]]; then rm -f "$policy"; fi; }
trap cleanup EXIT

echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections

install_missing() {
  apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" </dev/null
}

# A fresh machine has empty package lists; refresh once, and retry once more after a refresh if the install fails.
if ! compgen -G "/var/lib/apt/lists/*_Packages*" >/dev/null; then
  apt-get update -q </dev/null
  install_missing
elif ! install_missing; then
  apt-get update -q </dev/null
  install_missing
fi
