#!/usr/bin/env bash
# Runs cofferd and nginx in the foreground (make run). Ctrl-C or SIGTERM stops both, cofferd
# first draining its in-flight requests; nothing is left running.
#   scripts/run-stack.sh BIN_DIR PORT DATA_DIR
set -euo pipefail
# nginx lives in /usr/sbin, which a non-root PATH may lack.
export PATH="$PATH:/usr/sbin:/sbin"
bin_dir=$1; port=$2; data_dir=$(realpath -m "$3")
repo=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$data_dir"
socket="$data_dir/cofferd.sock"
export DATA_DIR="$data_dir"
export DATABASE_URL="${DATABASE_URL:-sqlite://$data_dir/coffer.db}"
export COFFER_LISTEN="$socket"

conf=$("$repo/nginx/render.sh" "$data_dir/nginx" "$port" "$socket" "$repo/static")

cofferd_pid=""; nginx_pid=""
stop() {
  trap - INT TERM EXIT
  [ -n "$nginx_pid" ] && kill -QUIT "$nginx_pid" 2>/dev/null || true
  [ -n "$cofferd_pid" ] && kill -TERM "$cofferd_pid" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

"$bin_dir/cofferd" &
cofferd_pid=$!
for _ in $(seq 1 200); do
  [ -S "$socket" ] && break
  kill -0 "$cofferd_pid" 2>/dev/null || { echo "cofferd failed to start" >&2; exit 1; }
  sleep 0.05
done
nginx -p "$data_dir/nginx" -c "$conf" -e "$data_dir/nginx/error.log" -g 'daemon off;' &
nginx_pid=$!
echo "Coffer is running at http://127.0.0.1:$port/ (API under /v1/); Ctrl-C stops it." >&2
# Whichever exits first takes the other down with it.
wait -n "$cofferd_pid" "$nginx_pid" || true
