# Shared by scripts/bench.sh and scripts/bench-cluster.sh (sourced, not run): the ceiling, wrk
# and the share of the ceiling every figure is reported as. Expects `repo`, `work` and
# `duration`; sets `ceiling_port`.
here="$repo/scripts/bench"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# cofferd's default COFFER_WORKERS (16 per core, 8 to 64); the ceiling gets as many threads.
workers=$((16 * $(nproc))); [ "$workers" -lt 8 ] && workers=8; [ "$workers" -gt 64 ] && workers=64

# The ceiling: nginx with the same rendered configuration, in front of the trivial responder.
# start_ceiling [plain-close]: see ceiling.c.
start_ceiling() {
  ceiling_port=$(free_port)
  cc -O2 -o "$work/ceiling" "$here/ceiling.c" -lfcgi -lpthread
  rm -f "$work/ceiling.sock"
  "$work/ceiling" "$work/ceiling.sock" "$workers" "$@" &
  ceiling_pid=$!
  # Killed at the end (see stop_ceiling); bash would report that as if it were news.
  disown "$ceiling_pid"
  for _ in $(seq 1 100); do [ -S "$work/ceiling.sock" ] && break; sleep 0.05; done
  local conf
  conf=$(AUTH_RATE=1000000r/s "$repo/nginx/render.sh" "$work/ceiling-nginx" "$ceiling_port" "$work/ceiling.sock" "$repo/static")
  nginx -p "$work/ceiling-nginx" -c "$conf" -e "$work/ceiling-nginx/error.log" -g 'daemon off;' &
  ceiling_nginx_pid=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$ceiling_port/v1/health" >/dev/null && break; sleep 0.05; done
}

stop_ceiling() {
  [ -n "${ceiling_nginx_pid:-}" ] && kill -QUIT "$ceiling_nginx_pid" 2>/dev/null || true
  # libfcgi turns SIGTERM into a flag its accept loop never reads: the ceiling is killed.
  [ -n "${ceiling_pid:-}" ] && kill -KILL "$ceiling_pid" 2>/dev/null || true
  ceiling_nginx_pid=""; ceiling_pid=""
}

# run NAME URL CONNECTIONS [wrk options]: one wrk run, printed as req/s, share of the ceiling (the
# first run sets it), p50, p99 and non-2xx answers; `last_rps` keeps its req/s, `rps_of[NAME]` too.
ceiling_rps=""
declare -A rps_of
run() {
  local name=$1 url=$2 conns=$3; shift 3
  local threads=2 out rps p50 p99 errors share
  [ "$conns" -lt 2 ] && threads=1
  out=$(wrk -t"$threads" -c"$conns" -d"$duration" --latency "$@" "$url")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  [ -z "$ceiling_rps" ] && ceiling_rps=$rps
  share=$(python3 -c "print(f'{100 * $rps / $ceiling_rps:.0f}%')")
  last_rps=$rps
  rps_of[$name]=$rps
  printf '%-40s %10s req/s %5s   p50 %-9s p99 %-9s non-2xx %s\n' "$name" "$rps" "$share" "$p50" "$p99" "${errors:-0}"
}

# start_stack DATA_DIR PORT [VAR=VALUE ...]: the release stack through scripts/stack.sh, limits
# raised for load; waits until it answers. Sets `stack_pid`.
start_stack() {
  local data=$1 port=$2; shift 2
  env "$@" APP_ENV=test LOG_LEVEL=info COFFER_DAILY_LIMIT=1000000000000000 AUTH_RATE=1000000r/s \
    COFFERD_LOG="$data.cofferd.log" "$repo/scripts/stack.sh" "$bin_dir" "$port" "$data" 2>"$data.stack.log" &
  stack_pid=$!
  for _ in $(seq 1 600); do
    [ -f "$data/stack.ready" ] && return 0
    kill -0 "$stack_pid" 2>/dev/null || { cat "$data.stack.log" >&2; exit 1; }
    sleep 0.05
  done
  echo "the stack in $data did not start" >&2
  exit 1
}

stop_stack() {
  [ -n "${stack_pid:-}" ] || return 0
  kill -TERM "$stack_pid" 2>/dev/null || true
  wait "$stack_pid" 2>/dev/null || true
  stack_pid=""
}

# The benchmark user with four funded accounts; exports what the wrk scripts read.
bench_user() {
  local base=$1
  curl -fs -o /dev/null -X POST "$base/v1/auth/signup" -H 'Content-Type: application/json' \
    -d '{"email":"bench@example.com","password":"benchmark passphrase","first_name":"Bench","last_name":"Mark","dob":"1980-01-01"}'
  local token accounts
  { read -r token; read -r accounts; } < <(python3 "$here/bench_setup.py" "$base" 4)
  export BENCH_TOKEN=$token BENCH_ACCOUNTS=$accounts
}

# shares_of_median CEILING_NAME... -- NAME...: each NAME's req/s as a share of the median of the
# named ceiling runs. Consecutive ceiling runs differ by up to ±12% on this machine, so a share of
# one sample is good to a few points either way; the median of samples spread over the run is the
# steadier reference.
shares_of_median() {
  local ceilings=() name median
  while [ "$1" != "--" ]; do ceilings+=("${rps_of[$1]}"); shift; done
  shift
  median=$(python3 -c 'import statistics, sys; print(f"{statistics.median(map(float, sys.argv[1:])):.2f}")' "${ceilings[@]}")
  echo "shares of the median of ${#ceilings[@]} ceiling runs (${median} req/s):"
  for name in "$@"; do
    printf '  %-38s %10s req/s %5s\n' "$name" "${rps_of[$name]}" "$(python3 -c "print(f'{100 * ${rps_of[$name]} / $median:.0f}%')")"
  done
}

# CPU per request, steadier than req/s on a shared machine whose speed drifts within a run:
# cpu_run PID NAME URL CONNECTIONS [wrk options] is `run` plus one more line, the CPU the whole
# machine was busy (/proc/stat: user, nice, system, irq, softirq; not idle, iowait or steal) and
# PID's CPU (all its threads), each per request of the run. With a thread named cofferd-commit*
# in PID it also splits that thread's time (/proc/.../schedstat): on a CPU, runnable but waiting
# for one, and neither (fsync, or no job). Sets `machine_us_of[NAME]`.
declare -A machine_us_of
# printf, not print: mawk prints sums past 2^31 in exponent form.
machine_busy_ticks() { awk '/^cpu / {printf "%.0f\n", $2 + $3 + $4 + $7 + $8}' /proc/stat; }
# utime and stime: the 12th and 13th fields after the ")" that ends the command name.
process_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{printf "%.0f\n", $12 + $13}'; }
cpu_run() {
  local pid=$1 name=$2; shift 2
  local hz task committer="" t0 m0 p0 s0="" t1 m1 p1 s1=""
  hz=$(getconf CLK_TCK)
  for task in /proc/"$pid"/task/*; do
    case $(cat "$task/comm" 2>/dev/null) in cofferd-commit*) committer=$task ;; esac
  done
  t0=$(date +%s.%N); m0=$(machine_busy_ticks); p0=$(process_ticks "$pid")
  [ -n "$committer" ] && { s0=$(cat "$committer/schedstat" 2>/dev/null) || s0=""; }
  run "$name" "$@"
  t1=$(date +%s.%N); m1=$(machine_busy_ticks); p1=$(process_ticks "$pid")
  [ -n "$committer" ] && { s1=$(cat "$committer/schedstat" 2>/dev/null) || s1=""; }
  # One line back for the table (the machine's µs per request), then the line to print.
  local out
  out=$(python3 - "$t0" "$t1" "$((m1 - m0))" "$((p1 - p0))" "$hz" "${last_rps:-0}" "$s0" "$s1" <<'PY'
import sys
t0, t1, machine, process, hz, rps, s0, s1 = sys.argv[1:]
wall, rps, hz = float(t1) - float(t0), float(rps), int(hz)
if rps <= 0:
    print("0\n  CPU per request: no requests completed")
    sys.exit()
per_request = lambda ticks: int(ticks) / hz / wall / rps * 1e6
line = f"  CPU per request: machine {per_request(machine):.0f} µs, this process {per_request(process):.0f} µs"
if s0 and s1:
    (run0, wait0, _), (run1, wait1, _) = (map(int, s.split()) for s in (s0, s1))
    on, waiting = (run1 - run0) / 1e9 / wall, (wait1 - wait0) / 1e9 / wall
    line += f"; committer on a CPU {on:.0%}, waiting for one {waiting:.0%}, neither {max(0.0, 1 - on - waiting):.0%}"
print(f"{per_request(machine):.0f}\n{line}")
PY
)
  machine_us_of[$name]=${out%%$'\n'*}
  echo "${out#*$'\n'}"
}
