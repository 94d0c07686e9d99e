#!/usr/bin/env bash
# Measures load throughput: macropipe's loader, a bare SQLite insert loop into
# the same schema, and a pandas + sqlite3 load of the same landed files.
# Usage: bench/loader.sh FRED_MD_CSV [COPIES] [WORK_DIR]
#   FRED_MD_CSV  a FRED-MD vintage; every series is replicated COPIES times
#   COPIES       default 102, which gives 10.1 million observations for 2025-02.csv
# Builds an optimized tree in $BUILD_DIR (default build-release, without
# sanitizers or LibTorch) and needs Debian's python3-pandas for /usr/bin/python3.
set -euo pipefail
cd "$(dirname "$0")/.."

build=${BUILD_DIR:-build-release}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMACROPIPE_WITH_TORCH=OFF >/dev/null
cmake --build "$build" --target macropipe loader_benchmark

csv=${1:?usage: bench/loader.sh FRED_MD_CSV [COPIES] [WORK_DIR]}
copies=${2:-102}
work=${3:-$(mktemp -d)}
mkdir -p "$work"

echo "== preparing $copies copies of every series of $csv in $work"
rm -rf "$work/data"
"$build"/bench/loader_benchmark prepare "$work/data" "$csv" "$copies"
sync

echo "== macropipe load"
/usr/bin/time -f "peak RSS %M KiB, %e s elapsed, %U s user, %S s system" \
  "$build"/macropipe --log-level warn --data-dir "$work/data" load

echo "== bare SQLite insert loop"
/usr/bin/time -f "peak RSS %M KiB, %e s elapsed, %U s user, %S s system" \
  "$build"/bench/loader_benchmark bare "$work/bare.db" "$csv" "$copies"

echo "== pandas and sqlite3"
/usr/bin/time -f "peak RSS %M KiB, %e s elapsed, %U s user, %S s system" \
  /usr/bin/python3 bench/pandas_load.py "$work/data" "$work/pandas.db"
