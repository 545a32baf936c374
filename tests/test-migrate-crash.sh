#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A migration killed with SIGKILL at fixed points leaves the vault's name opening a
# vault that verifies and holds every file, no half-built target listed, and a next
# migration that succeeds. A TAP producer.
# usage: test-migrate-crash.sh AVFS_CLI ENGINE...   (pairs: each engine to the next)
cli=$1; shift
engines=("$@")
export AVFS_HOME; AVFS_HOME=$(mktemp -d); trap 'rm -rf "$AVFS_HOME"' EXIT
tree=$AVFS_HOME/tree
for d in $(seq 0 9); do
  mkdir -p "$tree/d$d"
  for f in $(seq 0 99); do head -c $((500 + f * 37)) /dev/urandom | base64 > "$tree/d$d/f$f.txt"; done
done
n=0; failed=0
check() {
  n=$((n + 1))
  if out=$(eval "$2" 2>&1); then echo "ok $n $1"
  else echo "not ok $n $1"; echo "$out" | sed 's/^/# /' | head -n 8; failed=1; fi
}
count_files() { "$cli" --vault "$1" find / --type f | wc -l; }
for i in "${!engines[@]}"; do
  from=${engines[$i]}; to=${engines[$(( (i + 1) % ${#engines[@]} ))]}
  [ "$from" = "$to" ] && continue
  for delay in 0.2 0.5 1.0; do
    name="mig_${from}_${delay/./}"
    "$cli" vault create "$name" --backend "$from" > /dev/null
    "$cli" --vault "$name" import "$tree" /t > /dev/null
    "$cli" vault migrate "$name" --to "$to" > /dev/null 2>&1 &
    sleep "$delay"; kill -9 $! 2> /dev/null; wait $! 2> /dev/null
    check "$from→$to killed after ${delay}s: the name opens a vault that verifies" \
      '"$cli" vault verify "$name"'
    check "$from→$to killed after ${delay}s: every file is there" '[ "$(count_files "$name")" = 1000 ]'
    check "$from→$to killed after ${delay}s: no half-built vault is listed" \
      '[ "$("$cli" vault list | grep -c "$name")" = 1 ] && ! "$cli" vault list | grep -q migrating'
    check "$from→$to killed after ${delay}s: migrating again succeeds (unless it had finished)" \
      '"$cli" vault migrate "$name" --to "$to" || [ "$("$cli" --json vault info "$name" | python3 -c "import json,sys; print(json.load(sys.stdin)[\"backend\"])")" = "$to" ]'
  done
done
echo "1..$n"
exit $failed
