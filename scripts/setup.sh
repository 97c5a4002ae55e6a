#!/usr/bin/env bash
# Installs the Debian 12 packages Kubescrape needs to build and test, and
# does nothing when they are all present. Safe to run any number of times.
#
#   scripts/setup.sh          build and test dependencies
#
# Needs root, or sudo, to install; says so clearly otherwise.
set -euo pipefail

PACKAGES=(
  # toolchain
  cmake ninja-build g++ pkg-config ccache
  # libraries (Debian packages only; see docs/architecture.md)
  libboost1.81-dev rapidjson-dev libyaml-cpp-dev libre2-dev libfmt-dev
  zlib1g-dev libssl-dev libsnappy-dev libzstd-dev
  # tests and benchmarks
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  # real peers for integration tests and side-by-side benchmarks
  prometheus-node-exporter python3-flask python3-prometheus-client prometheus
  # libFuzzer (clang's runtime)
  clang libclang-rt-14-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages are installed"
  exit 0
fi

echo "setup: installing ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "setup: these packages are missing: ${missing[*]}" >&2
  echo "setup: run this script as root, or install sudo, or install them yourself:" >&2
  echo "  apt-get install ${missing[*]}" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup: done"
