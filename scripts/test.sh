#!/usr/bin/env bash
# Builds macropipe with UndefinedBehaviorSanitizer and runs the whole test
# suite. One build serves both, to keep the suite within minutes on 2 cores;
# AddressSanitizer runs are available with -DMACROPIPE_SANITIZERS=address,undefined
# in a build of your own.
# Usage: scripts/test.sh [extra ctest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc)

./scripts/check_format.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMACROPIPE_SANITIZERS=undefined
cmake --build build -j "$jobs"
ctest --test-dir build -j "$jobs" --output-on-failure --timeout 900 "$@"
