#!/usr/bin/env bash
# Fills a state database with RUNS runs of TASKS tasks, times the runs view's
# API requests in-process, then times the page in headless Chromium against
# `macropipe serve`.
#
#   bench/runs_view.sh [RUNS] [TASKS] [DIR]   # from the repository root, after building
set -euo pipefail
runs=${1:-100}
tasks=${2:-200}
dir=${3:-$(mktemp -d)}
build=${BUILD_DIR:-build}

"$build/bench/runs_view_benchmark" fill "$dir" "$runs" "$tasks"
"$build/bench/runs_view_benchmark" api "$dir"

"$build/macropipe" --data-dir "$dir" serve --listen 127.0.0.1:0 >"$dir/serve.log" 2>&1 &
server=$!
trap 'kill $server' EXIT
for _ in $(seq 50); do
  url=$(grep -o 'http://127.0.0.1:[0-9]*/' "$dir/serve.log" || true)
  [[ -n $url ]] && break
  sleep 0.1
done
node bench/runs_view.mjs "$url" "$tasks" 5
