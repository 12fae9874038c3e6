#!/usr/bin/env bash
# A private PostgreSQL server for tests and `make run-cluster`, never the system's own cluster:
#   scripts/postgres.sh start DIR [PORT]   initdb (first time) and start; prints the database URL
#   scripts/postgres.sh stop DIR           fast shutdown; waits until the server is gone
# The server listens on 127.0.0.1 only (and a unix socket in DIR), with a random password for
# the role `coffer` kept in DIR/password (0600). PostgreSQL refuses to run as root, so as root the
# server runs as the system user `coffer-pg` (created on first use).
set -euo pipefail
command=${1:?usage: postgres.sh start|stop DIR [PORT]}
dir=${2:?usage: postgres.sh start|stop DIR [PORT]}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/pg_ctl" ] || { echo "postgres.sh: no PostgreSQL server found (Debian: apt-get install postgresql)" >&2; exit 1; }
mkdir -p "$dir"
dir=$(realpath "$dir")

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u coffer-pg -- "$@"; else "$@"; fi
}

case $command in
start)
  if [ "$(id -u)" = 0 ]; then
    id coffer-pg >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin coffer-pg
    chown coffer-pg "$dir"
    # The server must reach DIR through every parent directory.
    parent=$(dirname "$dir"); while [ "$parent" != / ]; do chmod o+x "$parent" 2>/dev/null || true; parent=$(dirname "$parent"); done
  fi
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    umask 077
    head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$dir/password"
    [ "$(id -u)" = 0 ] && chown coffer-pg "$dir/password"
    as_owner "$bin/initdb" -D "$dir/data" -U coffer --pwfile="$dir/password" --auth-local=scram-sha-256 \
      --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    [ "$(id -u)" = 0 ] && chown root "$dir/password"
  fi
  # The server must not inherit the caller's other descriptors: a caller that waits for EOF on a
  # pipe, or for every holder of a descriptor to go (Foundation's Process), would wait for as long
  # as the server runs.
  for fd in /proc/$$/fd/*; do
    fd=${fd##*/}
    [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-" 2>/dev/null || true
  done
  port=${3:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-h 127.0.0.1 -p $port -k $dir -c max_connections=300 -c shared_buffers=128MB" start >/dev/null \
    || { tail -20 "$dir/server.log" >&2; exit 1; }
  echo "$port" > "$dir/port"
  url="postgres://coffer:$(cat "$dir/password")@127.0.0.1:$port/postgres"
  echo "$url" > "$dir/database_url"
  chmod 600 "$dir/database_url"
  echo "$url"
  ;;
stop)
  [ -f "$dir/data/postmaster.pid" ] || exit 0
  as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null
  ;;
*)
  echo "usage: postgres.sh start|stop DIR [PORT]" >&2
  exit 2
  ;;
esac
