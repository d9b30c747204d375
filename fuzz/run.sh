#!/usr/bin/env bash
# Runs every libFuzzer target for a bounded time from a seed corpus.
#   fuzz/run.sh FUZZ_BUILD_DIR SECONDS [MAIN_BUILD_DIR]
# Seeds: fuzz/seeds/<target>/ plus, for the module fuzzer, the wasm guests
# and workloads the main build compiled, and for the component fuzzer the
# component fixtures of ../shared. Findings are written to
# FUZZ_BUILD_DIR/findings/<target>/ and fail the run.
set -euo pipefail
FB=${1:?fuzz build dir}
SECS=${2:-60}
MB=${3:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
status=0
for bin in "$FB"/fuzz/fuzz_*; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin")
  corpus="$FB/corpus/$name"
  findings="$FB/findings/$name"
  mkdir -p "$corpus" "$findings"
  if [ -d "$ROOT/fuzz/seeds/$name" ]; then cp -n "$ROOT/fuzz/seeds/$name"/* "$corpus"/ 2>/dev/null || true; fi
  if [ "$name" = fuzz_module ] && [ -d "$MB/guests" ]; then cp -n "$MB"/guests/*.wasm "$corpus"/ 2>/dev/null || true; fi
  if [ "$name" = fuzz_component ]; then
    # The component fixtures under 1 MiB (calc-js.wasm's 12 MiB would slow every run).
    find "$ROOT/../shared/fixtures/components" -maxdepth 1 -name '*.wasm' ! -name '*.core.wasm' \
      -size -1024k -exec cp -n {} "$corpus"/ \; 2>/dev/null || true
  fi
  echo "fuzz: $name for ${SECS}s ($(ls "$corpus" | wc -l) seeds)"
  if ! "$bin" "$corpus" -max_total_time="$SECS" -timeout=20 -rss_limit_mb=3072 \
        -artifact_prefix="$findings/" -print_final_stats=1 > "$FB/$name.log" 2>&1; then
    echo "fuzz: $name FAILED; last lines of $FB/$name.log:"
    tail -40 "$FB/$name.log"
    status=1
  else
    grep -E "stat::number_of_executed_units|cov:" "$FB/$name.log" | tail -2 || true
  fi
done
exit $status
