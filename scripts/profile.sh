#!/usr/bin/env bash
# Instructions per request under callgrind, the figures BENCHMARKS.md keeps: the release cofferd
# (2 workers) runs under valgrind behind the rendered nginx; for each request type the counters
# are zeroed, 200 requests are sent one after another with curl, the counters are dumped, and the
# total is divided by 200. Repeatable to within a few instructions on this machine, unlike
# wall-clock figures.
#   scripts/profile.sh RELEASE_BIN_DIR [PORT]
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"
if ! command -v valgrind >/dev/null || ! command -v callgrind_control >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null
  else
    echo "profile: needs valgrind (Debian: apt-get install valgrind)" >&2
    exit 1
  fi
fi
bin_dir=$(realpath "$1")
port=${2:-18111}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/coffer-profile.XXXXXX)
mkdir -p "$work/data" && chmod 711 "$work/data"
cleanup() {
  [ -n "${nginx_pid:-}" ] && kill -QUIT "$nginx_pid" 2>/dev/null || true
  [ -n "${valgrind_pid:-}" ] && kill -TERM "$valgrind_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# valgrind 3.19 cannot read the DWARF 5 of today's release build ("unhandled dwarf2 abbrev form"):
# it runs a copy without debug sections, beside its resource bundle. Counting instructions needs
# only the code.
objcopy --strip-debug "$bin_dir/cofferd" "$work/cofferd"
for bundle in "$bin_dir"/*.resources; do [ -d "$bundle" ] && cp -r "$bundle" "$work/"; done
(cd "$work" && APP_ENV=test COFFER_WORKERS=2 DATA_DIR="$work/data" COFFER_LISTEN="$work/data/cofferd.sock" \
  DATABASE_URL="sqlite://$work/data/coffer.db" COFFER_DAILY_LIMIT=1000000000000000 ARGON2_MEMORY_KIB=1024 ARGON2_ITERATIONS=1 \
  exec valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" "$work/cofferd" 2>"$work/valgrind.log") &
valgrind_pid=$!
for _ in $(seq 1 300); do [ -S "$work/data/cofferd.sock" ] && break; sleep 0.2; done
conf=$(AUTH_RATE=100000r/s "$repo/nginx/render.sh" "$work/nginx" "$port" "$work/data/cofferd.sock" "$repo/static")
nginx -p "$work/nginx" -c "$conf" -e "$work/nginx/error.log" -g 'daemon off;' &
nginx_pid=$!
sleep 1
base="http://127.0.0.1:$port"
curl -fsS -o /dev/null -X POST "$base/v1/auth/signup" -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.com","password":"benchmark passphrase","first_name":"Bench","last_name":"Mark","dob":"1980-01-01"}'
{ read -r token; read -r accounts; } < <(python3 "$repo/scripts/bench/bench_setup.py" "$base" 4)
IFS=, read -r a1 a2 _ <<<"$accounts"

count=200
measure() {
  local name=$1; shift
  (cd "$work" && callgrind_control -z >/dev/null 2>&1)
  for _ in $(seq 1 "$count"); do "$@" >/dev/null; done
  (cd "$work" && callgrind_control -d "$name" >/dev/null 2>&1)
  sleep 1
  local dump total
  dump=$(ls -t "$work"/cg.out.* | head -1)
  total=$(grep -m1 '^summary:\|^totals:' "$dump" | awk '{print $2}')
  printf '%-32s %9d instructions per request\n' "$name" $((total / count))
}
measure "GET /v1/health" curl -s "$base/v1/health"
measure "GET /v1/accounts/{id}" curl -s "$base/v1/accounts/$a1" -H "Authorization: Bearer $token"
measure "POST /v1/transfers" curl -s -X POST "$base/v1/transfers" -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' -d "{\"from_account_id\":\"$a1\",\"to_account_id\":\"$a2\",\"amount\":1}"
