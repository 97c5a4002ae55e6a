#!/usr/bin/env bash
# Quick start, command 2: set up, build and run every test.
#
#  1. build/       RelWithDebInfo, warnings are errors: all tests (ctest).
#  2. build-asan/  AddressSanitizer + UndefinedBehaviorSanitizer: the unit
#                  tests of the pure modules (ctest label "pure").
#  3. build-fuzz/   clang + libFuzzer: the exposition parser fuzzed for
#                  FUZZ_SECONDS (default 20)
#  4. a smoke run of every benchmark binary (they must keep working; the
#     figures themselves come from docs/benchmarks.md's commands).
# Exits non-zero when anything fails. .ci/run calls this script.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
start=$(date +%s)

scripts/setup.sh

echo "== build (RelWithDebInfo)"
scripts/build.sh build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKS_WERROR=ON -DKS_BUILD_BENCH=ON
echo "== tests"
(cd build && ctest --output-on-failure -j"$jobs")

echo "== build (ASan + UBSan, pure modules)"
scripts/build.sh build-asan -DCMAKE_BUILD_TYPE=Debug -DKS_SANITIZE=ON -DKS_WERROR=ON -DKS_BUILD_BENCH=OFF -- pure_tests
echo "== sanitized unit tests"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --output-on-failure -j"$jobs" -L pure)

echo "== fuzzing the exposition parser (bounded: ${FUZZ_SECONDS:-20}s; scripts/fuzz.sh)"
scripts/fuzz.sh "${FUZZ_SECONDS:-20}" >build-fuzz.log 2>&1 || { tail -40 build-fuzz.log; exit 1; }
tail -3 build-fuzz.log

echo "== benchmark smoke run"
for b in build/bench/*_bench; do
  [ -x "$b" ] || continue
  "$b" --benchmark_min_time=0.01 >/dev/null
  echo "ok: $b"
done

echo "== all tests passed in $(( $(date +%s) - start ))s"
