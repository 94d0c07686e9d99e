#!/usr/bin/env bash
# Installs everything macropipe needs to build, test and benchmark on Debian 12.
# Idempotent: packages already present are not touched, so it is safe to rerun.
set -euo pipefail

packages=(
  # Build tools and libraries.
  build-essential cmake ninja-build pkg-config git clang-format
  libcurl4-openssl-dev libsqlite3-dev sqlite3 libssl-dev libpq-dev
  nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev libtomlplusplus-dev
  libpugixml-dev libcpp-httplib-dev libeigen3-dev libhowardhinnant-date-dev zlib1g-dev
  # Tests and benchmarks; Chromium runs the browser test of the page.
  libgtest-dev libgmock-dev libbenchmark-dev python3 python3-pandas python3-cryptography time
  chromium
  # S3 tests: Debian's AWS command line reads back what macropipe wrote.
  awscli
  # The PostgreSQL server that tests and benchmarks start for themselves.
  postgresql-15
  # Forecasting: LibTorch, with an optimized BLAS instead of the reference one.
  libtorch-dev libopenblas0-pthread
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} > 0)); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"
else
  echo "setup: all packages present"
fi

# Node.js and npm install the page's chart library and the browser test's
# driver; a Node.js that brings its own npm (NodeSource) is used as it is.
if ! command -v npm >/dev/null; then
  echo "setup: installing nodejs npm"
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
    nodejs npm
fi
# uPlot (compiled into the binary) and playwright-core, at the versions in
# web/package-lock.json.
npm ci --prefix "$(dirname "$0")/../web" --no-audit --no-fund --loglevel=error
