#!/usr/bin/env bash
# Runs the README's walk-through block (between the walkthrough markers)
# verbatim, in a scratch directory that sees the repository's wit/ and
# examples/, with the built compono first on PATH; then checks its output:
# the served greeting and both refusals.
#   walkthrough.sh REPO_ROOT COMPONO_DIR
set -euo pipefail
repo=$1
bindir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed -n '/<!-- walkthrough:begin -->/,/<!-- walkthrough:end -->/p' "$repo/README.md" |
  sed '1,2d;$d' | sed '$d' >"$work/block.sh"
if ! grep -q 'compono serve' "$work/block.sh"; then
  echo "walkthrough: no walk-through block found in $repo/README.md" >&2
  exit 1
fi
ln -s "$repo/wit" "$work/wit"
ln -s "$repo/examples" "$work/examples"
cd "$work"
PATH="$bindir:$PATH" bash -euo pipefail block.sh >out.txt 2>err.txt || {
  echo "walkthrough: the README block failed (exit $?)" >&2
  cat out.txt err.txt >&2
  exit 1
}
fail=0
expect() {  # expect FILE TEXT
  if ! grep -qF -- "$2" "$1"; then
    echo "walkthrough: expected in $(basename "$1"): $2" >&2
    fail=1
  fi
}
expect out.txt "export wasi:http/incoming-handler@0.2.0;"
expect out.txt "status:   valid, issuer trusted"
expect out.txt "Hello from my own component!"
expect err.txt "deployment refused: untrusted issuer"
expect err.txt "not granted by the claims"
expect out.txt "refused (exit 1)"
if [ "$(stat -c %a my-hello/release.key)" != 600 ]; then
  echo "walkthrough: the secret key file is not mode 0600" >&2
  fail=1
fi
if [ $fail -ne 0 ]; then
  cat out.txt err.txt >&2
  exit 1
fi
echo "walkthrough: the README block ran and printed what it says"
