#!/usr/bin/env bash
# The one launcher of Coffer's stack: cofferd on a unix socket in DATA_DIR, nginx in front of it on
# 127.0.0.1:PORT, both in the foreground. `make run`, `make run-cluster`, `make bench`, the
# end-to-end tests and the browser tests all start the stack through this script.
#   scripts/stack.sh BIN_DIR PORT DATA_DIR [STATIC_ROOT]
#
# cofferd is supervised: when it dies (a crash, kill -9) it is started again within a second and
# nginx keeps running, so a crash costs seconds, not an outage. SIGTERM or SIGINT stops both,
# cofferd draining its in-flight requests; nothing is left running.
#
# COFFER_NODES=N (default 1) runs N cofferd, each on its own socket (DATA_DIR/cofferd-I.sock,
# pid in cofferd-I.pid), behind one nginx upstream; each node is supervised on its own. Several
# nodes need one shared database (PostgreSQL) and one JWT_SECRET: scripts/cluster.sh sets both.
#
# Environment: everything cofferd reads (APP_ENV, DATABASE_URL, JWT_SECRET, COFFER_*), plus
#   SERVER_NAMES        host names the site answers to (default: localhost 127.0.0.1); also given
#                       to cofferd as COFFER_SERVER_NAMES
#   AUTH_RATE           nginx's per-address rate on /v1/auth/ (default 20r/s)
#   COFFERD_LOG         append cofferd's JSON log to this file instead of stderr
#   COFFERD_RESTART     0 leaves a dead cofferd dead (to test nginx's 502); default 1
# It writes DATA_DIR/cofferd.pid (the current cofferd) and DATA_DIR/stack.ready once nginx answers.
set -euo pipefail
# nginx lives in /usr/sbin, which a non-root PATH may lack.
export PATH="$PATH:/usr/sbin:/sbin"
bin_dir=$(realpath "$1"); port=$2; data_dir=$(realpath -m "$3")
repo=$(cd "$(dirname "$0")/.." && pwd)
static_root=$(realpath -m "${4:-$repo/static}")

# Traversable (nginx's workers reach the socket) but not listable; cofferd creates its files 0600.
mkdir -p "$data_dir"
chmod 0711 "$data_dir"
nodes=${COFFER_NODES:-1}
[[ "$nodes" =~ ^[1-9][0-9]?$ ]] || { echo "stack: COFFER_NODES must be 1-99" >&2; exit 2; }
# One node keeps the names every tool knows (cofferd.sock, cofferd.pid).
node_file() { if [ "$nodes" = 1 ]; then echo "$data_dir/cofferd.$2"; else echo "$data_dir/cofferd-$1.$2"; fi; }
node_name() { if [ "$nodes" = 1 ]; then echo "cofferd"; else echo "cofferd $1"; fi; }
sockets=""
for node in $(seq 1 "$nodes"); do sockets="${sockets:+$sockets,}$(node_file "$node" sock)"; done
rm -f "$data_dir/stack.ready"
export DATA_DIR="$data_dir"
export DATABASE_URL="${DATABASE_URL:-sqlite://$data_dir/coffer.db}"
export SERVER_NAMES="${SERVER_NAMES:-localhost 127.0.0.1}"
export COFFER_SERVER_NAMES="${COFFER_SERVER_NAMES:-$SERVER_NAMES}"
# cofferd's dozens of workers mostly wait on group commit; glibc would give busy threads arenas of
# their own and keep their freed memory. A few arenas keep the resident set small.
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-4}"
# A fixed threshold: Argon2id's 19 MiB blocks are always mapped and given back when freed, instead
# of glibc raising the threshold after the first one and keeping such blocks in every arena.
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-131072}"
log() { echo "stack: $*" >&2; }

conf=$("$repo/nginx/render.sh" "$data_dir/nginx" "$port" "$sockets" "$static_root")

declare -A cofferd_pids=()
nginx_pid=""; stopping=0
stop() {
  stopping=1
  trap - INT TERM EXIT
  [ -n "$nginx_pid" ] && kill -QUIT "$nginx_pid" 2>/dev/null || true
  for pid in "${cofferd_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for node in $(seq 1 "$nodes"); do rm -f "$(node_file "$node" pid)"; done
  rm -f "$data_dir/stack.ready"
}
trap 'stop; exit 0' INT TERM
trap stop EXIT

start_cofferd() {
  local node=$1
  if [ -n "${COFFERD_LOG:-}" ]; then
    COFFER_LISTEN="$(node_file "$node" sock)" "$bin_dir/cofferd" 2>>"$COFFERD_LOG" &
  else
    COFFER_LISTEN="$(node_file "$node" sock)" "$bin_dir/cofferd" &
  fi
  cofferd_pids[$node]=$!
  echo "$!" > "$(node_file "$node" pid)"
}

# Waits until a node's socket exists; false when that cofferd exited first.
wait_for_socket() {
  local node=$1 pid=${cofferd_pids[$1]} socket
  socket=$(node_file "$node" sock)
  for _ in $(seq 1 400); do
    [ -S "$socket" ] && kill -0 "$pid" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

for node in $(seq 1 "$nodes"); do start_cofferd "$node"; done
for node in $(seq 1 "$nodes"); do
  wait_for_socket "$node" || { log "$(node_name "$node") failed to start"; exit 1; }
done
nginx -p "$data_dir/nginx" -c "$conf" -e "$data_dir/nginx/error.log" -g 'daemon off;' &
nginx_pid=$!
for _ in $(seq 1 200); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  kill -0 "$nginx_pid" 2>/dev/null || { log "nginx failed to start: $(tail -n 3 "$data_dir/nginx/error.log")"; exit 1; }
  sleep 0.05
done
echo "$port" > "$data_dir/stack.ready"
if [ "$nodes" = 1 ]; then
  log "Coffer is running at http://127.0.0.1:$port/ (API under /v1/); Ctrl-C stops it."
else
  log "Coffer is running at http://127.0.0.1:$port/ (API under /v1/) on $nodes cofferd nodes; Ctrl-C stops it."
fi

# A cofferd that keeps dying at once (a bad configuration, a broken database) is not restarted
# forever: five failed starts in a row of one node stop the stack.
declare -A failed_starts=()
while true; do
  status=0
  wait -n "${cofferd_pids[@]}" "$nginx_pid" || status=$?
  [ "$stopping" = 1 ] && exit 0
  if ! kill -0 "$nginx_pid" 2>/dev/null; then
    log "nginx exited (status $status); stopping"
    exit 1
  fi
  for node in "${!cofferd_pids[@]}"; do
    kill -0 "${cofferd_pids[$node]}" 2>/dev/null && continue
    log "$(node_name "$node") exited (status $status)"
    if [ "${COFFERD_RESTART:-1}" = 0 ]; then
      # Stay up without it (nginx answers 502 problems when no node is left) until told to stop.
      unset "cofferd_pids[$node]"
      rm -f "$(node_file "$node" pid)"
      continue
    fi
    sleep 0.2
    start_cofferd "$node"
    if wait_for_socket "$node"; then
      failed_starts[$node]=0
      log "$(node_name "$node") restarted (pid ${cofferd_pids[$node]})"
    else
      failed_starts[$node]=$((${failed_starts[$node]:-0} + 1))
      [ "${failed_starts[$node]}" -ge 5 ] && { log "$(node_name "$node") failed to start ${failed_starts[$node]} times in a row; stopping"; exit 1; }
      sleep 1
    fi
  done
  if [ ${#cofferd_pids[@]} = 0 ]; then
    while true; do wait "$nginx_pid" || true; kill -0 "$nginx_pid" 2>/dev/null || exit 1; done
  fi
done
