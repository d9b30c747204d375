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
set -e

echo
echo "== the key-value counter: compono up examples/kv-counter/app.yaml"
echo "   (examples/kv-counter/counter.c, built with compono bindgen c + clang + compono componentize;"
echo "    its bucket is data/counter.db beside app.yaml: SQLite in WAL mode)"
APP="$ROOT/examples/kv-counter/app.yaml"
if [ ! -f "$ROOT/examples/kv-counter/kv-counter.wasm" ]; then
  echo "examples/kv-counter/kv-counter.wasm is missing: build first (make build)" >&2
  exit 1
fi
LISTEN=()
if (exec 3<>/dev/tcp/127.0.0.1/8080) 2>/dev/null; then
  echo "   (port 8080 is taken here: listening on a free port instead)"
  LISTEN=(--listen 127.0.0.1:0)
fi
UP_PID=""
# Ctrl-C: SIGINT, as a terminal sends it (then SIGTERM, should it not stop within 10 s).
stop_up() {
  if [ -n "$UP_PID" ]; then
    kill -INT "$UP_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$UP_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -TERM "$UP_PID" 2>/dev/null || true
    wait "$UP_PID" 2>/dev/null || true
    UP_PID=""
  fi
}
trap 'stop_up; rm -rf "$WORK"' EXIT

# Starts `compono up` in the background and waits for its "serving" line.
start_up() {
  : > "$WORK/up.log"
  "$COMPONO" up "$APP" "${LISTEN[@]}" 2> >(tee -a "$WORK/up.log" >&2) &
  UP_PID=$!
  for _ in $(seq 1 300); do
    ADDR=$(grep -o 'serving http://[0-9.:]*' "$WORK/up.log" | head -1 | sed 's|serving http://||' || true)
    if [ -n "$ADDR" ]; then return 0; fi
    if ! kill -0 "$UP_PID" 2>/dev/null; then echo "compono up exited" >&2; exit 1; fi
    sleep 0.1
  done
  echo "compono up did not start serving" >&2
  exit 1
}

start_up
for _ in 1 2 3; do
  echo "\$ curl http://$ADDR/count"
  curl -s "http://$ADDR/count"
done
echo "== Ctrl-C (SIGINT) stops it cleanly"
stop_up
sleep 0.2
echo "== started again on the same files: the count goes on"
start_up
echo "\$ curl http://$ADDR/count"
curl -s "http://$ADDR/count"
stop_up
sleep 0.2
echo "== done (the count is kept in examples/kv-counter/data/counter.db)"
