#!/usr/bin/env bash
# Builds the libFuzzer target of the exposition parsers with clang
# (ASan + UBSan) in build-fuzz/ and runs it.
#   scripts/fuzz.sh [seconds]      (default 30)
# The corpus starts from the conformance bodies in
# ../shared/conformance/exposition/ (copied into build-fuzz/, never into the
# repository) plus a few small seeds. Exits non-zero when the fuzzer finds a
# crash; the reproducer is left in build-fuzz/fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
dir=build-fuzz
CC=clang CXX=clang++ cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKS_BUILD_FUZZ=ON \
  -DKS_BUILD_TESTS=OFF -DKS_BUILD_BENCH=OFF -DKS_WERROR=OFF >/dev/null
ninja -C "$dir" textparse_fuzz

corpus=$dir/fuzz/corpus/textparse
artifacts=$dir/fuzz/artifacts/
mkdir -p "$corpus" "$artifacts"
conformance=../shared/conformance/exposition
if [ -d "$conformance" ]; then
  cp "$conformance"/*.txt "$corpus"/
fi
printf '# HELP a help \\\\ \\n\n# TYPE a histogram\na_bucket{le="1",x="\\"y"} 1 2\n' >"$corpus/seed-prom"
printf 'a{"b.c",d="e"} +Inf 1.5 # {id="x"} 1 2\n# UNIT a_s s\n# EOF\n' >"$corpus/seed-om"
printf 'a{b="\0"} 1\n# \tTYPE x summary\n x{quantile="0"} nan\n' >"$corpus/seed-nul"

"$dir/fuzz/textparse_fuzz" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$artifacts" \
  -max_len=8192 "$corpus"
