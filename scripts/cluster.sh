#!/usr/bin/env bash
# make run-cluster: Coffer scaled out on one machine. A private PostgreSQL in DATA_DIR/postgres
# (scripts/postgres.sh: initdb on first use, as a non-root user), NODES cofferd each on its own
# socket, and nginx with an upstream over them (scripts/stack.sh with COFFER_NODES).
#   scripts/cluster.sh BIN_DIR PORT DATA_DIR NODES
# The database URL (with its password) is written to DATA_DIR/database_url (0600), so operators
# and `coffer` commands can reach it:  coffer verify --database-url "$(cat var/database_url)"
# Every node must sign and check tokens with one secret: JWT_SECRET if set, else one generated on
# first use and kept in DATA_DIR/jwt_secret (0600). Ctrl-C or SIGTERM stops the nodes, nginx and
# PostgreSQL; nothing is left running.
set -euo pipefail
bin_dir=$1; port=$2; data_dir=$(realpath -m "$3"); nodes=${4:-3}
here=$(cd "$(dirname "$0")" && pwd)
log() { echo "cluster: $*" >&2; }
[[ "$nodes" =~ ^[1-9][0-9]?$ ]] || { log "NODES must be 1-99"; exit 2; }
mkdir -p "$data_dir"
chmod 0711 "$data_dir"
umask 077

stack_pid=""
stop() {
  trap - INT TERM EXIT
  if [ -n "$stack_pid" ]; then
    kill -TERM "$stack_pid" 2>/dev/null || true
    wait "$stack_pid" 2>/dev/null || true
  fi
  "$here/postgres.sh" stop "$data_dir/postgres" || true
}
trap 'stop; exit 0' INT TERM
trap stop EXIT

server_url=$("$here/postgres.sh" start "$data_dir/postgres")
# The server's own database is `postgres`; Coffer's is `coffer`, created on first use.
psql_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)/psql
if [ "$("$psql_bin" "$server_url" -tAc "SELECT count(*) FROM pg_database WHERE datname = 'coffer'")" = 0 ]; then
  "$psql_bin" "$server_url" -qc "CREATE DATABASE coffer" >/dev/null
fi
database_url="${server_url%/postgres}/coffer"
echo "$database_url" > "$data_dir/database_url"
chmod 600 "$data_dir/database_url"
log "PostgreSQL on port $(cat "$data_dir/postgres/port"); its URL is in $data_dir/database_url"

if [ -z "${JWT_SECRET:-}" ]; then
  [ -s "$data_dir/jwt_secret" ] || head -c 48 /dev/urandom | base64 | tr -d '\n' > "$data_dir/jwt_secret"
  JWT_SECRET=$(cat "$data_dir/jwt_secret")
fi
export JWT_SECRET DATABASE_URL="$database_url" COFFER_NODES="$nodes"
"$here/stack.sh" "$bin_dir" "$port" "$data_dir" &
stack_pid=$!
status=0
wait "$stack_pid" || status=$?
stack_pid=""
exit "$status"
