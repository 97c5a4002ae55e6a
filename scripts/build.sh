#!/usr/bin/env bash
# Configures and builds one build directory with Ninja.
#   scripts/build.sh DIR [cmake options...] [-- ninja targets...]
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache keys relative to the checkout, so a fresh clone elsewhere (CI) reuses
# objects compiled here.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
dir=$1
shift
cmake_args=()
targets=()
while [ $# -gt 0 ]; do
  if [ "$1" = "--" ]; then
    shift
    targets=("$@")
    break
  fi
  cmake_args+=("$1")
  shift
done
cmake -S . -B "$dir" -G Ninja "${cmake_args[@]}" >/dev/null
ninja -C "$dir" "${targets[@]}"
