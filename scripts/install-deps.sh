#!/usr/bin/env bash
# Installs every Debian 12 package the build, the tests, the guest toolchain,
# the demo and the benchmarks need. Idempotent: exits at once when all are present.
set -euo pipefail

PACKAGES=(
  # build
  build-essential cmake ninja-build pkg-config git
  # engine: wabt's library (decoder, validator, interpreter, wasm2c writer and runtime)
  wabt
  # guest toolchain: C -> wasm32-wasi
  clang lld wasi-libc libclang-rt-14-dev-wasm32
  # fuzzing and sanitizers (libFuzzer ships with clang's runtime)
  libclang-rt-14-dev
  # libraries
  libsodium-dev libsqlite3-dev sqlite3 libnats-dev
  libboost1.81-dev libboost-context1.81-dev libboost-url1.81-dev
  nlohmann-json3-dev libcli11-dev libfmt-dev libspdlog-dev libyaml-cpp-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev nats-server curl wrk hyperfine 
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# node (with npm) runs the V8 side of the benchmarks and the jco-built examples. The base
# image ships node 20 from NodeSource (which bundles npm and conflicts with Debian's npm);
# only when no node is present do we take Debian's.
if ! command -v node >/dev/null 2>&1; then missing+=(nodejs npm); fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done" >&2
