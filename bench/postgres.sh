#!/usr/bin/env bash
# Measures load throughput into PostgreSQL (the warehouse's COPY path) beside
# SQLite and a bare COPY of the same rows, on a throwaway PostgreSQL 15 server
# with its default durability settings (fsync and synchronous_commit on).
# Usage: bench/postgres.sh [SERIES] [PERIODS] [WORK_DIR]
#   SERIES   default 500 monthly series
#   PERIODS  default 1000 observations each
# Needs a built tree in ./build (cmake --build build --target postgres_load_benchmark).
set -euo pipefail
cd "$(dirname "$0")/.."

series=${1:-500}
periods=${2:-1000}
work=${3:-$(mktemp -d)}

source scripts/postgres_server.sh
trap stop_postgres_server EXIT
trap 'exit 130' INT TERM
start_postgres_server
/usr/bin/time -f "peak RSS %M KiB, %e s elapsed, %U s user, %S s system" \
  build/bench/postgres_load_benchmark "$series" "$periods" "$work"
