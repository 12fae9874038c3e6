#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server: started on a free port in a temporary
# directory (scripts/postgres.sh), its URL in COFFER_TEST_POSTGRES_URL, stopped and removed when
# the command ends, whatever its outcome. The command's exit status is this script's.
#   scripts/with-postgres.sh COMMAND [ARGS...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/coffer-postgres.XXXXXX)
cleanup() {
  "$here/postgres.sh" stop "$dir" || true
  rm -rf "$dir"
}
trap cleanup EXIT
chmod 755 "$dir"
COFFER_TEST_POSTGRES_URL=$("$here/postgres.sh" start "$dir")
export COFFER_TEST_POSTGRES_URL
echo "with-postgres: PostgreSQL on port $(cat "$dir/port") in $dir"
status=0
"$@" || status=$?
exit $status
