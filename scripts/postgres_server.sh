#!/usr/bin/env bash
# Starts and stops a throwaway PostgreSQL 15 server for tests and benchmarks:
# a new cluster in a temporary folder, listening only on a free loopback port,
# with its Unix socket in that folder, owned by the postgres user when run as
# root (PostgreSQL refuses to run as root). Source this file, then:
#   start_postgres_server [SERVER OPTION...]   # for example -c fsync=off
#   ... run what needs MACROPIPE_TEST_POSTGRES_URI and PGPASSWORD ...
#   stop_postgres_server
# The login is user macropipe with a random password, checked with SCRAM.

postgres_bin=${MACROPIPE_POSTGRES_BIN:-/usr/lib/postgresql/15/bin}
postgres_dir=""
postgres_as_owner=()

free_loopback_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_postgres_server() {
  if [[ ! -x $postgres_bin/initdb ]]; then
    echo "postgres_server: $postgres_bin/initdb not found; install postgresql-15 (scripts/setup.sh)" >&2
    return 1
  fi
  postgres_dir=$(mktemp -d /tmp/macropipe-postgres.XXXXXX)
  mkdir "$postgres_dir/socket"
  local password
  password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
  printf '%s\n' "$password" >"$postgres_dir/password"
  if [[ $(id -u) -eq 0 ]]; then
    chown -R postgres:postgres "$postgres_dir"
    postgres_as_owner=(runuser -u postgres --)
  fi
  "${postgres_as_owner[@]}" "$postgres_bin/initdb" -D "$postgres_dir/data" -U macropipe \
    --pwfile="$postgres_dir/password" --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --locale=C >"$postgres_dir/initdb.log" 2>&1 || {
    cat "$postgres_dir/initdb.log" >&2
    return 1
  }

  # Another program may take the port between choosing and binding it: try again.
  local port attempt
  for attempt in 1 2 3; do
    port=$(free_loopback_port)
    if "${postgres_as_owner[@]}" "$postgres_bin/pg_ctl" -D "$postgres_dir/data" \
      -l "$postgres_dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $postgres_dir/socket $*" start >/dev/null; then
      export MACROPIPE_TEST_POSTGRES_URI="postgresql://macropipe@127.0.0.1:$port/postgres"
      export PGPASSWORD=$password
      echo "postgres_server: PostgreSQL 15 on 127.0.0.1:$port, data in $postgres_dir"
      return 0
    fi
    echo "postgres_server: start on port $port failed (try $attempt of 3)" >&2
  done
  tail -n 20 "$postgres_dir/server.log" >&2
  return 1
}

stop_postgres_server() {
  [[ -n $postgres_dir ]] || return 0
  if [[ -f $postgres_dir/data/postmaster.pid ]]; then
    "${postgres_as_owner[@]}" "$postgres_bin/pg_ctl" -D "$postgres_dir/data" -m fast -w stop \
      >/dev/null || true
  fi
  rm -rf "$postgres_dir"
  postgres_dir=""
}
