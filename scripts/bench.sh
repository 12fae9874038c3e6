#!/usr/bin/env bash
# make bench: starts the release build behind nginx on a temporary database and drives it with
# wrk. Prints requests/s and latency percentiles per endpoint, next to the ceiling measured in
# the same run (nginx serving a static file of similar size).
#   scripts/bench.sh RELEASE_BIN_DIR
set -euo pipefail
# nginx lives in /usr/sbin, which a non-root PATH may lack.
export PATH="$PATH:/usr/sbin:/sbin"
bin_dir=$1
repo=$(cd "$(dirname "$0")/.." && pwd)
duration=${BENCH_DURATION:-10s}
connections=${BENCH_CONNECTIONS:-64}
work=$(mktemp -d /tmp/coffer-bench.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cleanup() {
  [ -n "${stack_pid:-}" ] && kill -TERM "$stack_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/static"
cp -r "$repo/static/." "$work/static/"
# The ceiling: a static file the size of a health answer, served by the same nginx.
printf '{"status":"ok","checks":{"database":"ok"},"version":"0.1.0","uptime_seconds":1}' > "$work/static/ceiling.json"
APP_ENV=test LOG_LEVEL=info COFFER_DAILY_LIMIT=1000000000000000 AUTH_RATE=1000000r/s COFFERD_LOG="$work/cofferd.log" \
  "$repo/scripts/stack.sh" "$bin_dir" "$port" "$work/data" "$work/static" 2>"$work/stack.log" &
stack_pid=$!
for _ in $(seq 1 600); do [ -f "$work/data/stack.ready" ] && break; kill -0 "$stack_pid" 2>/dev/null || { cat "$work/stack.log" >&2; exit 1; }; sleep 0.05; done

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "wrk -t2 -c$connections -d$duration --latency"
run() {
  local name=$1 url=$2 conns=${3:-$connections}; shift 3 || shift $#
  local out
  local threads=2; [ "$conns" -lt 2 ] && threads=1
  out=$(wrk -t"$threads" -c"$conns" -d"$duration" --latency "$@" "$url")
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  printf '%-34s %10s req/s   p50 %-9s p99 %-9s non-2xx %s\n' "$name" "$rps" "$p50" "$p99" "${errors:-0}"
}
base="http://127.0.0.1:$port"
startup=$(grep -o '"startup_ms":[0-9.]*' "$work/cofferd.log" | head -1 | cut -d: -f2)
echo "cofferd startup (config, database, migrations, Argon2id dummy hash, socket): ${startup} ms"
run "static ceiling (nginx)" "$base/ceiling.json" "$connections"
run "GET /v1/health" "$base/v1/health" "$connections"

curl -fs -o /dev/null -X POST "$base/v1/auth/signup" -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.com","password":"benchmark passphrase","first_name":"Bench","last_name":"Mark","dob":"1980-01-01"}'
# One connection: the latency is one Argon2id verification plus the request around it.
run "POST /v1/auth/login (1 conn)" "$base/v1/auth/login" 1 -s "$repo/scripts/login.lua"
run "POST /v1/auth/login (16 conns)" "$base/v1/auth/login" 16 -s "$repo/scripts/login.lua"

# Money: transfers between 20 funded accounts of one user, at 16 and 64 connections.
{ read -r token; read -r accounts; } < <(python3 "$repo/scripts/bench_setup.py" "$base" 20)
export BENCH_TOKEN=$token BENCH_ACCOUNTS=$accounts
run "GET /v1/accounts/{id}" "$base" "$connections" -s "$repo/scripts/account.lua"
run "POST /v1/transfers (16 conns)" "$base" 16 -s "$repo/scripts/transfer.lua"
run "POST /v1/transfers (64 conns)" "$base" 64 -s "$repo/scripts/transfer.lua"
run "mixed 70/20/10 (64 conns)" "$base" 64 -s "$repo/scripts/mixed.lua"
DATABASE_URL="sqlite://$work/data/coffer.db" "$bin_dir/coffer" verify

# A statement over an account with 100,000 transactions.
DATABASE_URL="sqlite://$work/data/coffer.db" "$bin_dir/coffer" seed-demo --extra-transactions 100000 >/dev/null
ann=$(curl -fs -X POST "$base/v1/auth/login" -H 'Content-Type: application/json' \
  -d '{"email":"ann@demo.coffer","password":"demo-password-2026"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
account=$(curl -fs "$base/v1/accounts" -H "Authorization: Bearer $ann" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')
count=$(curl -fs "$base/v1/statements/$account?limit=1" -H "Authorization: Bearer $ann" | python3 -c 'import json,sys; print(json.load(sys.stdin)["transaction_count"])')
for format in json csv; do
  best=""
  for _ in 1 2 3 4 5; do
    t=$(curl -fs -o /dev/null -w '%{time_total}' "$base/v1/statements/$account?format=$format" -H "Authorization: Bearer $ann")
    best=$(python3 -c "print(min(float('$t'), float('${best:-$t}')))")
  done
  printf '%-34s %s transactions, best of 5: %.1f ms\n' "statement ($format)" "$count" "$(python3 -c "print($best*1000)")"
done
