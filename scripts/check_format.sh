#!/usr/bin/env bash
# Fails when a C++ file differs from what clang-format makes of it with the
# project's .clang-format, and lists the files to reformat.
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t files < <(git ls-files '*.cpp' '*.h' 2>/dev/null || find src tests bench tools -name '*.cpp' -o -name '*.h')
unformatted=()
for file in "${files[@]}"; do
  [[ -f $file ]] || continue
  if ! clang-format --dry-run --Werror "$file" >/dev/null 2>&1; then
    unformatted+=("$file")
  fi
done
if ((${#unformatted[@]} > 0)); then
  echo "these files do not follow .clang-format; run: clang-format -i ${unformatted[*]}"
  exit 1
fi
echo "all ${#files[@]} C++ files follow .clang-format"
