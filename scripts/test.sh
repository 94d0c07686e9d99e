#!/usr/bin/env bash
# Builds macropipe with UndefinedBehaviorSanitizer and runs the whole test
# suite. One build serves both, to keep the suite within minutes on 2 cores;
# AddressSanitizer runs are available with -DMACROPIPE_SANITIZERS=address,undefined
# in a build of your own.
# The PostgreSQL tests run against a throwaway PostgreSQL 15 server that this
# script starts and stops, also when tests fail; set MACROPIPE_TEST_POSTGRES_URI
# (and PGPASSWORD) to use a server of your own instead.
# Usage: scripts/test.sh [extra ctest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc)

./scripts/check_format.sh
# The build takes most of the suite's time, so it is made cheap: line tables
# (-g1) are enough for the sanitizer's stack traces, and -O1 compiles in about
# 60 % of the time of -O2.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMACROPIPE_SANITIZERS=undefined \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG"
cmake --build build -j "$jobs"

if [[ -z ${MACROPIPE_TEST_POSTGRES_URI:-} ]]; then
  source scripts/postgres_server.sh
  trap stop_postgres_server EXIT
  trap 'exit 130' INT TERM
  # Durability is of no use to a server that lives for one test run.
  start_postgres_server -c fsync=off -c synchronous_commit=off -c full_page_writes=off
fi
ctest --test-dir build -j "$jobs" --output-on-failure --timeout 900 "$@"
