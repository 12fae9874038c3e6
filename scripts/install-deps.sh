#!/usr/bin/env bash
# Installs the Debian packages Coffer needs to build, run and test, skipping those already
# installed. Uses sudo only when not root. Safe to run repeatedly.
#   scripts/install-deps.sh            what make run needs (SQLite; libpq only to link against)
#   scripts/install-deps.sh --postgres also the PostgreSQL server (make test, run-cluster, bench-cluster)
set -euo pipefail
packages=(
  libfcgi-dev libsqlite3-dev libssl-dev libargon2-dev pkg-config  # the C libraries cofferd links
  libpq-dev                                                       # the PostgreSQL store links libpq
  libcurl4-openssl-dev                                            # webhook deliveries go out through libcurl
  nginx                                                           # the front end
  curl python3                                                    # make bench's setup
  wrk                                                             # make bench
  chromium chromium-driver                                        # the browser tests
  systemd                                                         # the install test: systemd-analyze verify, systemd-socket-activate, systemd-sysusers
)
[ "${1:-}" = --postgres ] && packages+=(postgresql)              # the server make test starts itself
command -v node >/dev/null || packages+=(nodejs)                  # unit tests of the browser app's modules
missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$package")
done
run() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  run apt-get update -qq
  run apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# A node already on PATH (a newer one than Debian's) is fine for `node --test`.
# The browser tests drive Chromium with Selenium and run under pytest; the OpenAPI document is
# checked with openapi-spec-validator; all from PyPI. So is Swagger UI, which nginx serves at /docs/
# from the installed package (nginx/render.sh finds it): swagger-ui-bundle-v2, the maintained fork of
# swagger-ui-bundle (same module, swagger_ui_bundle), since the original's Swagger UI 4 cannot read
# our OpenAPI 3.1 document. Asked for by distribution name, as the original would import as well.
# The /metrics test parses the exposition with the Prometheus client's own parser.
python3 -c 'import selenium, pytest, openapi_spec_validator, prometheus_client, importlib.metadata as m; m.version("swagger-ui-bundle-v2")' 2>/dev/null \
  || python3 -m pip install -q --disable-pip-version-check selenium pytest openapi-spec-validator swagger-ui-bundle-v2 prometheus-client
