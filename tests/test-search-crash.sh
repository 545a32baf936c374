#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# An import killed with SIGKILL at fixed points leaves a vault that opens, verifies (the
# search index agrees with the files: the queue is replayed) and finds what it holds.
# A TAP producer.
# usage: test-search-crash.sh AVFS_CLI ENGINE...
cli=$1; shift
export AVFS_HOME; AVFS_HOME=$(mktemp -d); trap 'rm -rf "$AVFS_HOME"' EXIT
tree=$AVFS_HOME/tree
for d in $(seq 0 29); do
  mkdir -p "$tree/d$d"
  for f in $(seq 0 99); do echo "file $d-$f says crashword$((f % 7)) and more" > "$tree/d$d/f$f.txt"; done
done
n=0; failed=0
check() {
  n=$((n + 1))
  if out=$(eval "$2" 2>&1); then echo "ok $n $1"
  else echo "not ok $n $1"; echo "$out" | sed 's/^/# /' | head -n 8; failed=1; fi
}
for engine in "$@"; do
  for delay in 0.2 0.5 0.9; do
    name="crash_${engine}_${delay/./}"
    "$cli" vault create "$name" --backend "$engine" > /dev/null
    "$cli" --vault "$name" import "$tree" /t > /dev/null 2>&1 &
    sleep "$delay"; kill -9 $! 2> /dev/null; wait $! 2> /dev/null
    check "$engine killed after ${delay}s: verifies" '"$cli" vault verify "$name"'
    check "$engine killed after ${delay}s: search agrees with ls" \
      '[ "$("$cli" --vault "$name" --json search --limit 100000 crashword3 | python3 -c "import json,sys; print(json.load(sys.stdin)[\"total\"])")" = "$("$cli" --vault "$name" find / --name "f*.txt" | grep -cE "/f(3|10|17|24|31|38|45|52|59|66|73|80|87|94)\.txt$")" ]'
  done
done
echo "1..$n"
exit $failed
