#!/usr/bin/env bash
# Runs the whole test suite: unit, spec, golden-site and command-line tests in a normal
# build and again in an AddressSanitizer + UndefinedBehaviorSanitizer build (which also
# checks for leaks), then the browser tests when the theme is in place.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh --deps

jobs=$(nproc)
echo "== build (release) and test"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"

echo "== build (ASan + UBSan) and test"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DHUBGEN_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs"

if [ -f tests/browser/run.sh ]; then
  echo "== browser tests"
  bash tests/browser/run.sh
fi
