#!/usr/bin/env bash
# make bench: the release build behind nginx (through scripts/stack.sh) on a temporary database,
# driven by wrk. Every Coffer figure is printed as req/s and as a share of the ceiling measured in
# the same run: a trivial C FastCGI responder (scripts/bench/ceiling.c) behind the same nginx
# configuration. The machine is shared and noisy; only the shares compare across runs.
#   scripts/bench.sh RELEASE_BIN_DIR
set -euo pipefail
# nginx lives in /usr/sbin, which a non-root PATH may lack.
export PATH="$PATH:/usr/sbin:/sbin"
bin_dir=$(realpath "$1")
repo=$(cd "$(dirname "$0")/.." && pwd)
duration=${BENCH_DURATION:-10s}
work=$(mktemp -d /tmp/coffer-bench.XXXXXX)
# shellcheck source=scripts/bench/common.sh
. "$repo/scripts/bench/common.sh"
port=$(free_port)

cleanup() {
  stop_stack
  stop_ceiling
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

start_ceiling
start_stack "$work/data" "$port"

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr); cofferd workers: $workers"
echo "wrk -t2 -d$duration --latency; share = req/s / ceiling req/s (same run)"
base="http://127.0.0.1:$port"
startup=$(grep -o '"startup_ms":[0-9.]*' "$work/data.cofferd.log" | head -1 | cut -d: -f2)
echo "cofferd startup (config, database, migrations, Argon2id dummy hash, socket): ${startup} ms"
cpu_run "$ceiling_pid" "ceiling: trivial C FastCGI (-c64)" "http://127.0.0.1:$ceiling_port/v1/health" 64
run "nginx static file (-c64)" "$base/favicon.svg" 64
run "GET /v1/health (-c64)" "$base/v1/health" 64

cofferd_pid=$(cat "$work/data/cofferd.pid")
peak_rss() { awk '/VmHWM/ {printf "%.0f MiB", $2/1024}' "/proc/$cofferd_pid/status"; }
# The high-water mark so far includes the Argon2id dummy hash of startup (19 MiB); reset it
# (clear_refs 5) so the next figure is the read and transfer load's own. Logins come after, with
# their own peak: Argon2id holds 19 MiB per login in flight, by design.
startup_rss=$(peak_rss)
reset_peak() { echo 5 >"/proc/$cofferd_pid/clear_refs" 2>/dev/null || echo "(could not reset the peak RSS)"; }
reset_peak

# Money: transfers between 4 funded accounts of one user, as the write-path issue measured them.
bench_user "$base"
run "GET /v1/accounts/{id} (-c64)" "$base" 64 -s "$here/account.lua"
run "POST /v1/transfers (-c16)" "$base" 16 -s "$here/transfer.lua"
cpu_run "$cofferd_pid" "POST /v1/transfers (-c64)" "$base" 64 -s "$here/transfer.lua"
cpu_run "$ceiling_pid" "ceiling mid-run (-c64)" "http://127.0.0.1:$ceiling_port/v1/health" 64
run "mixed 70/20/10 (-c64)" "$base" 64 -s "$here/mixed.lua"
# Durable transfers at -c64 twice more (here, and on a fresh stack below): one 10 s run moves by
# several points between runs of one build, so the summary also gives the median of the three.
cpu_run "$cofferd_pid" "POST /v1/transfers again (-c64)" "$base" 64 -s "$here/transfer.lua"
load_rss=$(peak_rss)

# Bulk: 100-transfer batches, against SQLite's own rate for the same SQL at 100 transfers per
# commit on a database `coffer migrate` made on the same disk (scripts/bench/sqlite_batch.c).
run "POST /v1/transfers/batch x100 (-c16)" "$base" 16 -s "$here/batch.lua"
batch_rps=$last_rps
cc -O2 -o "$work/sqlite_batch" "$here/sqlite_batch.c" -lsqlite3
DATABASE_URL="sqlite://$work/ceiling.db" "$bin_dir/coffer" migrate >/dev/null
sqlite_rate=$("$work/sqlite_batch" "$work/ceiling.db" 100 "${duration%s}")
printf '%-40s %10.0f transfers/s, %s of SQLite alone at 100 per commit (%s/s, same disk)\n' "bulk: transfers through batches" \
  "$(python3 -c "print(100 * $batch_rps)")" "$(python3 -c "print(f'{100 * 100 * $batch_rps / $sqlite_rate:.0f}%')")" "$sqlite_rate"

export BENCH_LOGIN_USERS=64
for i in $(seq 1 "$BENCH_LOGIN_USERS"); do
  curl -fs -o /dev/null -X POST "$base/v1/auth/signup" -H 'Content-Type: application/json' \
    -d "{\"email\":\"login$i@bench.example\",\"password\":\"benchmark passphrase\",\"first_name\":\"Bench\",\"last_name\":\"Mark\",\"dob\":\"1980-01-01\"}"
done
reset_peak
# One connection: the latency is one Argon2id verification plus the request around it.
run "POST /v1/auth/login (-c1)" "$base/v1/auth/login" 1 -s "$here/login.lua"
run "POST /v1/auth/login (-c16)" "$base/v1/auth/login" 16 -s "$here/login.lua"
echo "cofferd peak RSS: $load_rss under the read, transfer and mixed loads; $(peak_rss) during the logins; $startup_rss through startup and health"
DATABASE_URL="sqlite://$work/data/coffer.db" "$bin_dir/coffer" verify

# A statement over an account with 100,000 transactions.
DATABASE_URL="sqlite://$work/data/coffer.db" "$bin_dir/coffer" seed-demo --extra-transactions 100000 >/dev/null 2>&1
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
  printf '%-40s %s transactions, best of 5: %.1f ms\n' "statement ($format)" "$count" "$(python3 -c "print($best*1000)")"
done

# The committer logs its batch sizes when cofferd stops.
stop_stack
python3 - "$work/data.cofferd.log" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    try:
        entry = json.loads(line)
    except ValueError:
        continue
    if entry.get("event") == "committer":
        sizes = sorted((int(k), int(v)) for k, v in (pair.split(":") for pair in entry["batch_sizes"].split()))
        jobs = sum(size * count for size, count in sizes)
        print(f"committer: {entry['batches']} batches, {jobs} write jobs, {jobs / max(1, int(entry['batches'])):.1f} per batch, "
              f"{entry.get('replays', 0)} run again with a savepoint per job")
        buckets = {}
        for size, count in sizes:
            bucket = "1" if size == 1 else "2-4" if size <= 4 else "5-16" if size <= 16 else "17-64" if size <= 64 else ">64"
            buckets[bucket] = buckets.get(bucket, 0) + count
        print("  batch sizes: " + ", ".join(f"{name}: {buckets.get(name, 0)}" for name in ("1", "2-4", "5-16", "17-64", ">64")))
EOF

# What the metrics cost a request: the same reads on a fresh stack with COFFER_METRICS=false, and
# the ceiling again beside it. Each request updates a counter and a histogram; the difference
# should sit inside the run-to-run noise (a few per cent).
start_stack "$work/plain" "$port" COFFER_METRICS=false
bench_user "$base"
run "ceiling again (-c64)" "http://127.0.0.1:$ceiling_port/v1/health" 64
run "GET /v1/accounts/{id}, metrics off (-c64)" "$base" 64 -s "$here/account.lua"
stop_stack
start_stack "$work/metered" "$port"
bench_user "$base"
run "GET /v1/accounts/{id}, metrics on (-c64)" "$base" 64 -s "$here/account.lua"
run "POST /v1/transfers, fresh stack (-c64)" "$base" 64 -s "$here/transfer.lua"

# The ceiling again, ending each request as cofferd now does (input read to its end, then a plain
# close instead of libfcgi's lingering one): how much of cofferd's share that change alone explains.
stop_ceiling
start_ceiling plain-close
run "ceiling, closing as cofferd does (-c64)" "http://127.0.0.1:$ceiling_port/v1/health" 64

rps_of["POST /v1/transfers (-c64), median of 3 runs"]=$(python3 -c 'import statistics, sys; print(f"{statistics.median(map(float, sys.argv[1:])):.2f}")' \
  "${rps_of["POST /v1/transfers (-c64)"]}" "${rps_of["POST /v1/transfers again (-c64)"]}" "${rps_of["POST /v1/transfers, fresh stack (-c64)"]}")
shares_of_median "ceiling: trivial C FastCGI (-c64)" "ceiling mid-run (-c64)" "ceiling again (-c64)" -- \
  "GET /v1/health (-c64)" "GET /v1/accounts/{id} (-c64)" "POST /v1/transfers (-c16)" "POST /v1/transfers (-c64)" \
  "POST /v1/transfers (-c64), median of 3 runs" "mixed 70/20/10 (-c64)"
# The same comparison in CPU: the machine's CPU per ceiling request against its CPU per durable
# transfer, the first ceiling run with the first transfer run and the mid-run ceiling with the
# run after the mixed load.
python3 -c "
c1, c2, t1, t2 = map(float, '${machine_us_of["ceiling: trivial C FastCGI (-c64)"]} ${machine_us_of["ceiling mid-run (-c64)"]} ${machine_us_of["POST /v1/transfers (-c64)"]} ${machine_us_of["POST /v1/transfers again (-c64)"]}'.split())
print(f'machine CPU per request: ceiling {c1:.0f} and {c2:.0f} µs, durable transfer at -c64 {t1:.0f} and {t2:.0f} µs; '
      f'a ceiling request costs {100 * c1 / t1:.0f}% and {100 * c2 / t2:.0f}% of a transfer')"
