#!/usr/bin/env bash
# Measures landing throughput: puts and reads through the local folder store
# and through the S3 store against a moto_server started here on loopback.
# Usage: bench/landing.sh [SMALL_COUNT] [LARGE_COUNT] [WORK_DIR]
#   SMALL_COUNT  objects of 64 KiB, default 500
#   LARGE_COUNT  objects of 96 MiB, default 3
# Needs a built tree in ./build (cmake --build build --target landing_benchmark)
# and moto_server (moto 5) on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

small=${1:-500}
large=${2:-3}
work=${3:-$(mktemp -d)}
mkdir -p "$work"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
moto_server -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
moto_pid=$!
trap 'kill "$moto_pid" 2>/dev/null || true' EXIT
# Any HTTP response, an error status included, means the server is up.
probe="import urllib.request as r, urllib.error as e
try: r.urlopen('http://127.0.0.1:$port/')
except e.HTTPError: pass"
for _ in $(seq 1 600); do
  if python3 -c "$probe" 2>/dev/null; then break; fi
  sleep 0.1
done

echo "== moto $(python3 -c 'import moto; print(moto.__version__)') on 127.0.0.1:$port"
build/bench/landing_benchmark "http://127.0.0.1:$port" "$work" "$small" "$large"
