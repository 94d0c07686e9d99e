#!/usr/bin/env bash
# Measures a pipeline run of many FRED series against a replay server that
# admits 20 requests per second (HTTP 429 beyond that) and answers each after
# a fixed latency, under two policies:
#   macropipe       each source's rate budget (20 requests per second), a pool of 128 tasks
#   airflow-style   a fixed pool of 10 concurrent tasks and no rate budget
#                   (requests_per_second = 1000000)
# and prints wall time, peak RSS, requests sent and requests refused with 429.
# Usage: bench/dag_rate.sh [SERIES] [LATENCY_MS] [WORK_DIR]
#   SERIES      default 1000 (one request each, so 50 s at 20 requests per second)
#   LATENCY_MS  default 150
# Needs a built tree in ./build (cmake --build build --target macropipe macropipe-replay).
set -euo pipefail
cd "$(dirname "$0")/.."

series=${1:-1000}
latency=${2:-150}
work=${3:-$(mktemp -d)}
replay=build/tools/replay_server/macropipe-replay

run_policy() {
  local name=$1 rate=$2 slots=$3
  local dir="$work/$name"
  rm -rf "$dir"
  mkdir -p "$dir"
  python3 bench/fred_replay.py "$dir" "$series" "$rate" "$slots"
  "$replay" "$dir/replay" --port 0 --rate-limit 20 --latency-ms "$latency" \
    >"$dir/server.out" 2>"$dir/server.log" &
  local server=$!
  for _ in $(seq 100); do
    grep -q "listening on" "$dir/server.out" 2>/dev/null && break
    sleep 0.1
  done
  local address
  address=$(sed -n 's/^listening on //p' "$dir/server.out")
  sed -i "s|@BASE_URL@|http://$address|" "$dir/pipeline.toml"

  echo "== $name: $series series, pool of $slots tasks, rate budget $rate/s, latency $latency ms"
  FRED_API_KEY=bench /usr/bin/time -f "peak RSS %M KiB, %e s elapsed, %U s user, %S s system" \
    build/macropipe --log-level warn --data-dir "$dir/data" --config "$dir/pipeline.toml" run \
    2>&1 | grep -v "^ingest\.\|^error: task" | tail -n 6
  python3 -c "
import json, urllib.request
stats = json.load(urllib.request.urlopen('http://$address/_replay/stats'))
print('server: %d requests, %d refused with 429, %d unmatched' % (
    stats['requests_total'], stats['responses_429'], stats['unmatched']))"
  kill "$server"
  wait "$server" || true
}

echo "== load: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) on $(nproc) cores"
run_policy macropipe 20 128
run_policy airflow-style 1000000 10
echo "== load: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
