#!/usr/bin/env bash
# The issue-2 demo: build a small C program to wasm32-wasi and run it with one
# granted directory; it reads what it was granted and is refused everywhere else.
set -euo pipefail
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
COMPONO="$ROOT/$BUILD/src/cli/compono"
WORK=$(mktemp -d /tmp/compono-demo-XXXXXX)
trap 'rm -rf "$WORK"' EXIT

echo "== building examples/sandbox-demo/sandbox_demo.c to wasm32-wasi"
clang --target=wasm32-wasi -O2 -o "$WORK/sandbox_demo.wasm" "$ROOT/examples/sandbox-demo/sandbox_demo.c"
mkdir -p "$WORK/data"
echo "hello from the granted directory" > "$WORK/data/hello.txt"
echo "top secret" > "$WORK/secret.txt"
ln -s "$WORK/secret.txt" "$WORK/data/escape-link"

echo "== compono inspect (what the module asks for)"
"$COMPONO" inspect "$WORK/sandbox_demo.wasm" | sed -n '1,12p'
echo
echo "== compono run --dir $WORK/data::/data:ro sandbox_demo.wasm"
"$COMPONO" run --dir "$WORK/data::/data:ro" "$WORK/sandbox_demo.wasm"
echo
echo "== the same program with a fuel budget too small to finish"
set +e
"$COMPONO" run --fuel 20000 --dir "$WORK/data::/data:ro" "$WORK/sandbox_demo.wasm" >/dev/null
echo "exit code $? (4 = fuel exhausted)"
