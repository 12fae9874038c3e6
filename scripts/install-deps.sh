#!/usr/bin/env bash
# Installs the Debian packages Coffer needs to build, run and test, skipping those already
# installed. Uses sudo only when not root. Safe to run repeatedly.
set -euo pipefail
packages=(
  libfcgi-dev libsqlite3-dev libssl-dev libargon2-dev pkg-config  # the C libraries cofferd links
  nginx curl                                                      # the front end, and make run's smoke check
  wrk                                                             # make bench
)
missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}"
run() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
export DEBIAN_FRONTEND=noninteractive
run apt-get update -qq
run apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
