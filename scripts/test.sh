#!/usr/bin/env bash
# Builds macropipe and runs the whole test suite: the regular build, then the
# same tests under AddressSanitizer and UndefinedBehaviorSanitizer.
# Usage: scripts/test.sh [extra ctest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc)

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j "$jobs"
ctest --test-dir build -j "$jobs" --output-on-failure --timeout 600 "$@"

cmake -S . -B build-sanitize -G Ninja -DCMAKE_BUILD_TYPE=Debug -DMACROPIPE_SANITIZE=ON \
  -DMACROPIPE_WITH_TORCH=OFF
cmake --build build-sanitize -j "$jobs" --target macropipe macropipe_tests
ctest --test-dir build-sanitize -j "$jobs" --output-on-failure --timeout 600 "$@"
