#!/usr/bin/env bash
# `make bench`: builds the benchmark tools and inputs in BUILD (target
# bench_all: gcc -O2 native workloads, wasm32-wasi workloads, measure,
# extract_core, instantiate_bench, trivial guests), then runs bench/bench.mjs,
# which writes bench/RESULTS.md. See bench/README.md.
#   bench/run.sh [BUILD]      environment: BENCH_RUNS, BENCH_LARGE=1, BENCH_QUICK=1,
#                             BENCH_ONLY=http (only the HTTP part: bench/http.mjs)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  echo "bench: $BUILD is not a configured build directory (run make build first)" >&2
  exit 1
fi
command -v node >/dev/null || { echo "bench: node (20+) is needed for the V8 peer and the driver" >&2; exit 1; }
if [ "${BENCH_ONLY:-}" = http ]; then
  command -v wrk >/dev/null || { echo "bench: wrk is needed (apt-get install wrk)" >&2; exit 1; }
  echo "bench: building compono and examples/http-hello-c in $BUILD"
  cmake --build "$BUILD" --target compono example_http_hello
  exec node bench/http.mjs "$BUILD"
elif [ -n "${BENCH_ONLY:-}" ]; then
  echo "bench: BENCH_ONLY=$BENCH_ONLY: the only part that runs alone is http" >&2
  exit 2
fi
command -v hyperfine >/dev/null || { echo "bench: hyperfine is needed (apt-get install hyperfine)" >&2; exit 1; }
echo "bench: building the benchmark tools in $BUILD"
cmake --build "$BUILD" --target bench_all
export BENCH_COMMAND="${BENCH_COMMAND:-make bench BUILD=$BUILD}"
node bench/bench.mjs "$BUILD"
# The HTTP part appends its section to the RESULTS.md just written.
cmake --build "$BUILD" --target compono example_http_hello
exec node bench/http.mjs "$BUILD"
