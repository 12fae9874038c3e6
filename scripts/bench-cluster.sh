#!/usr/bin/env bash
# make bench-cluster: transfers and reads at -c64 on PostgreSQL with 1 node and with 3 nodes
# (synchronous_commit=on, PostgreSQL's default), next to SQLite with group commit and the trivial
# FastCGI ceiling, all in one run on this machine; then where the time went in each PostgreSQL
# transfer run: CPU seconds of PostgreSQL, cofferd and nginx, transactions per WAL fsync, and how
# many backends were waiting on a lock (sampled); and PostgreSQL's own ceiling for a transfer's
# statements (pgbench, no cofferd in the way).
#   scripts/bench-cluster.sh RELEASE_BIN_DIR
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"
bin_dir=$(realpath "$1")
repo=$(cd "$(dirname "$0")/.." && pwd)
duration=${BENCH_DURATION:-10s}
work=$(mktemp -d /tmp/coffer-bench-cluster.XXXXXX)
chmod 755 "$work"
# shellcheck source=scripts/bench/common.sh
. "$repo/scripts/bench/common.sh"

cleanup() {
  stop_stack
  stop_ceiling
  "$repo/scripts/postgres.sh" stop "$work/postgres" >/dev/null 2>&1 || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

server_url=$("$repo/scripts/postgres.sh" start "$work/postgres")
psql() { command psql "$server_url" -qtAX "$@"; }
start_ceiling
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr); cofferd workers: $workers per node"
echo "PostgreSQL $(psql -c 'SHOW server_version'), synchronous_commit=$(psql -c 'SHOW synchronous_commit'), on this machine's disk"
echo "wrk -t2 -d$duration --latency; share = req/s / ceiling req/s (same run)"
run "ceiling: trivial C FastCGI (-c64)" "http://127.0.0.1:$ceiling_port/v1/health" 64

cpu_of() { # total CPU seconds (user + system) of the processes whose command line matches $1
  local total=0 pid ticks
  for pid in $(pgrep -f "$1" || true); do
    ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)
    total=$((total + ticks))
  done
  echo "$total"
}

# measure LABEL DATA_DIR: reads and transfers against the stack answering on $port; for
# PostgreSQL also where the transfer run's time went.
measure() {
  local label=$1 data=$2 base="http://127.0.0.1:$port"
  bench_user "$base"
  run "$label: GET /v1/accounts/{id} (-c64)" "$base" 64 -s "$here/account.lua"
  if [ -z "${database:-}" ]; then
    run "$label: POST /v1/transfers (-c64)" "$base" 64 -s "$here/transfer.lua"
    return
  fi
  local before_pg before_cofferd before_nginx after_pg after_cofferd after_nginx before_wal after_wal
  before_pg=$(cpu_of "postgres: ") before_cofferd=$(cpu_of "$bin_dir/cofferd") before_nginx=$(cpu_of "nginx: worker")
  before_wal=$(psql -c "SELECT wal_sync FROM pg_stat_wal")
  local before_commits; before_commits=$(psql -c "SELECT xact_commit FROM pg_stat_database WHERE datname = '$database'")
  ( for _ in $(seq 1 20); do sleep 0.4; psql -c "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"; done ) > "$work/locks" &
  local sampler=$!
  run "$label: POST /v1/transfers (-c64)" "$base" 64 -s "$here/transfer.lua"
  local transfers_rps=$last_rps
  wait "$sampler" || true
  after_pg=$(cpu_of "postgres: ") after_cofferd=$(cpu_of "$bin_dir/cofferd") after_nginx=$(cpu_of "nginx: worker")
  after_wal=$(psql -c "SELECT wal_sync FROM pg_stat_wal")
  local after_commits; after_commits=$(psql -c "SELECT xact_commit FROM pg_stat_database WHERE datname = '$database'")
  python3 - "$label" "$transfers_rps" "$duration" "$((after_pg - before_pg))" "$((after_cofferd - before_cofferd))" \
    "$((after_nginx - before_nginx))" "$((after_wal - before_wal))" "$((after_commits - before_commits))" "$work/locks" <<'PY'
import os, sys
label, rps, duration, pg, cofferd, nginx, syncs, commits, locks = sys.argv[1:]
seconds = float(duration.rstrip("s"))
hz = os.sysconf("SC_CLK_TCK")
transfers = float(rps) * seconds
per = lambda ticks: int(ticks) / hz / transfers * 1e6
samples = [int(line) for line in open(locks) if line.strip()]
print(f"  {label} transfers, CPU per transfer: PostgreSQL {per(pg):.0f} µs, cofferd {per(cofferd):.0f} µs, nginx {per(nginx):.0f} µs;"
      f" {int(commits) / max(1, int(syncs)):.1f} commits per WAL fsync ({syncs} fsyncs);"
      f" backends waiting on a lock: {sum(samples) / max(1, len(samples)):.1f} on average of {len(samples)} samples")
PY
}

# postgres_alone DATABASE: PostgreSQL's own ceiling for cofferd's transfer, measured on the bench's
# database once its stack has stopped: pgbench sends the statements a transfer makes, in cofferd's
# round trips (scripts/bench/pg_transfer.sql), with as many clients as a node has connections.
postgres_alone() {
  local url="${server_url%/postgres}/$1" a1 a2 a3 a4 user out
  IFS=, read -r a1 a2 a3 a4 <<<"$BENCH_ACCOUNTS"
  user=$(command psql "$url" -qtAX -c "SELECT id FROM users WHERE email = 'bench@example.com'")
  out=$(pgbench -n -M prepared -c 16 -j 2 -T "${duration%s}" -D a1="$a1" -D a2="$a2" -D a3="$a3" -D a4="$a4" -D user="$user" \
    -f "$here/pg_transfer.sql" "$url" 2>&1) || { echo "pgbench failed: $out" >&2; exit 1; }
  grep -q '^number of failed transactions: 0 ' <<<"$out" || { echo "pgbench failed: $out" >&2; exit 1; }
  pg_alone=$(awk '/^tps/ {print $3}' <<<"$out")
  printf '%-40s %10.2f tx/s  (pgbench, 16 clients: no cofferd, nginx or wrk)\n' "PostgreSQL alone: a transfer's statements" "$pg_alone"
}

port=$(free_port)
database=""
start_stack "$work/sqlite" "$port"
measure "SQLite, 1 node" "$work/sqlite"
sqlite_transfers=$last_rps
stop_stack

for nodes in 1 3; do
  database="coffer_$nodes"
  psql -c "CREATE DATABASE $database"
  port=$(free_port)
  start_stack "$work/pg$nodes" "$port" DATABASE_URL="${server_url%/postgres}/$database" COFFER_NODES="$nodes" \
    JWT_SECRET="$(head -c 48 /dev/urandom | base64 | tr -d '\n')"
  measure "PostgreSQL, $nodes node$([ "$nodes" = 1 ] || echo s)" "$work/pg$nodes"
  [ "$nodes" = 1 ] && pg1_transfers=$last_rps
  stop_stack
  [ "$nodes" = 1 ] && postgres_alone "$database"
done
python3 -c "print(f'PostgreSQL transfers on 1 node: {100 * $pg1_transfers / $sqlite_transfers:.0f}% of SQLite group commit (target: at least 50%)')"
python3 -c "print(f'PostgreSQL alone, with no cofferd in the way: {100 * $pg_alone / $sqlite_transfers:.0f}% of SQLite group commit; cofferd on 1 node reaches {100 * $pg1_transfers / $pg_alone:.0f}% of it')"
DATABASE_URL="${server_url%/postgres}/coffer_3" "$bin_dir/coffer" verify
