#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Crashes: a process importing a tree, writing a stream of files, moving a big folder,
# restoring a snapshot or migrating a vault is killed with SIGKILL at a random moment
# (seeded: the same points every run), 20 points per engine. Afterwards the vault
# opens and verifies (its search index agrees with its files), every file it holds is
# byte-identical to a version that was written, a move or a restore shows the state
# before or the state after and nothing in between, and a migration's source is
# untouched. Memory vaults die with their process and are not part of this. A TAP
# producer.
# usage: test-crash.sh AVFS_CLI ENGINE...   (migrations go from each engine to the next)
cli=$1; shift
engines=("$@")
export AVFS_HOME; AVFS_HOME=$(mktemp -d); trap 'rm -rf "$AVFS_HOME"' EXIT
RANDOM=20261125
n=0; failed=0
check() {
  n=$((n + 1))
  if out=$(eval "$2" 2>&1); then echo "ok $n $1"
  else echo "not ok $n $1"; echo "$out" | sed 's/^/# /' | head -n 8; failed=1; fi
}

# Two host trees of text files with words the index can be asked for.
make_tree() {
  for d in $(seq 0 $(($2 - 1))); do
    mkdir -p "$1/d$d"
    for f in $(seq 0 99); do
      printf 'file %s/%s of %s says crashword%s\n%s\n' "$d" "$f" "$3" $((f % 7)) \
        "$(head -c $((200 + (f * 53) % 3000)) /dev/urandom | base64 -w 76)" > "$1/d$d/f$f.txt"
    done
  done
}
tree_a=$AVFS_HOME/tree-a; make_tree "$tree_a" 10 a
tree_b=$AVFS_HOME/tree-b; make_tree "$tree_b" 3 b

# kill_after CMD...: runs CMD (a program, not a shell function, so that the process
# killed is the program's) in the background, its input from $KILL_INPUT if set, and
# kills it with SIGKILL after a random 0–1.5 s (it may have finished by then: its end
# state counts as "after").
kill_after() {
  local delay
  delay=$(printf '0.%03d' $((RANDOM % 1000)))
  [ $((RANDOM % 2)) = 0 ] && delay=$(awk "BEGIN { print $delay * 1.5 }")
  "$@" < "${KILL_INPUT:-/dev/null}" > /dev/null 2>&1 &
  sleep "$delay"; kill -9 $! 2> /dev/null; wait $! 2> /dev/null
  echo "$delay"
}

c() { "$cli" --vault "$v" "$@"; }

# Exports vault folder $1 and checks every file there is byte-identical to the file at
# the same place under host folder $2; prints how many files there were.
same_as_host() {
  local out="$AVFS_HOME/export"
  rm -rf "$out"; mkdir -p "$out"
  c export "$1" "$out" > /dev/null || return 1
  (cd "$out" && find . -type f) | while read -r f; do
    cmp -s "$out/$f" "$2/$f" || { echo "differs: $1/$f"; return 1; }
  done || return 1
  (cd "$out" && find . -type f | wc -l)
}

# The search index and a plain listing agree on which files hold crashword3.
search_agrees() {
  local hits files
  hits=$(c --json search --limit 100000 crashword3 |
         python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
  files=$(c find / --name "f*.txt" | grep -cE "/f(3|10|17|24|31|38|45|52|59|66|73|80|87|94)\.txt$")
  [ "$hits" = "$files" ] || { echo "search finds $hits files, the tree holds $files"; return 1; }
}

crash_import() {
  local at
  at=$(kill_after "$cli" --vault "$v" import "$tree_a" /a)
  check "$engine import killed at ${at}s: a search, the first to open it, agrees" 'search_agrees'
  check "$engine import killed at ${at}s: verifies" 'c vault verify'
  check "$engine import killed at ${at}s: files are the host's" 'same_as_host / "$tree_a/.." > /dev/null || same_as_host /a "$tree_a" > /dev/null'
  check "$engine import killed at ${at}s: search agrees" 'search_agrees'
}

# A stream of writes through one shell: file K gets "step J of K" for rising J.
crash_writes() {
  local at script="$AVFS_HOME/writes"
  for j in $(seq 1 40); do
    for k in $(seq 0 9); do echo "write /w/f$k.txt \"step $j of $k $(printf '%0*d' $((j * 20)) 0)\""; done
  done > "$script"
  c mkdir /w
  at=$(KILL_INPUT=$script kill_after "$cli" --vault "$v" shell)
  check "$engine writes killed at ${at}s: verifies" 'c vault verify'
  check "$engine writes killed at ${at}s: each file holds one of its writes" \
    'for k in $(seq 0 9); do x=$(c cat /w/f$k.txt 2> /dev/null) || continue; echo "$x" | grep -qE "^step ([0-9]+) of $k 0+$" || { echo "f$k: $x"; exit 1; }; j=$(echo "$x" | cut -d" " -f2); [ ${#x} = $(( ${#j} + ${#k} + 10 + j * 20 )) ] || { echo "f$k torn"; exit 1; }; done'
}

crash_move() {
  local at
  c import "$tree_a" /big > /dev/null
  at=$(kill_after "$cli" --vault "$v" mv /big /moved)
  check "$engine move killed at ${at}s: verifies" 'c vault verify'
  check "$engine move killed at ${at}s: the folder is whole, before or after" \
    'if c stat /big > /dev/null 2>&1; then ! c stat /moved > /dev/null 2>&1 && [ "$(same_as_host /big "$tree_a")" = 1000 ]; else [ "$(same_as_host /moved "$tree_a")" = 1000 ]; fi'
  check "$engine move killed at ${at}s: search agrees" 'search_agrees'
}

crash_restore() {
  local at
  c import "$tree_a" /a > /dev/null && c snapshot save s1 > /dev/null &&
    c rm -r /a && c import "$tree_b" /b > /dev/null
  at=$(kill_after "$cli" --vault "$v" snapshot restore s1)
  check "$engine restore killed at ${at}s: verifies" 'c vault verify'
  check "$engine restore killed at ${at}s: the tree is the one before or the snapshot" \
    'if c stat /a > /dev/null 2>&1; then ! c stat /b > /dev/null 2>&1 && [ "$(same_as_host /a "$tree_a")" = 1000 ]; else [ "$(same_as_host /b "$tree_b")" = 300 ]; fi'
  check "$engine restore killed at ${at}s: search agrees" 'search_agrees'
}

# The checksums of every file of a vault (a new file shows as a new line), but LMDB's
# lock.mdb: its reader table, which every open writes. A migration opens its source
# read-only where the engine can (RocksDB), so nothing else changes.
data_files() {
  (cd "$(dirname "$1")" &&
   find "$(basename "$1")" -type f ! -name lock.mdb -print0 | sort -z | xargs -0 sha256sum)
}

# Odd points migrate in place (the name must open a whole vault), even ones with
# --output (the source must stay byte-for-byte as it was).
crash_migrate() {
  local at to=$1 point=$2 source before output="$AVFS_HOME/out-$v"
  c import "$tree_a" /a > /dev/null
  source=$("$cli" --json vault info "$v" | python3 -c 'import json,sys; print(json.load(sys.stdin)["path"])')
  if [ $((point % 2)) = 1 ]; then
    at=$(kill_after "$cli" vault migrate "$v" --to "$to")
    check "$engine→$to migration killed at ${at}s: the name opens a vault that verifies" 'c vault verify'
    check "$engine→$to migration killed at ${at}s: it holds every file" '[ "$(same_as_host /a "$tree_a")" = 1000 ]'
    check "$engine→$to migration killed at ${at}s: nothing half-built is listed" \
      '[ "$("$cli" vault list | grep -c "$v")" = 1 ]'
    check "$engine→$to migration killed at ${at}s: migrating again works (unless it had finished)" \
      '"$cli" vault migrate "$v" --to "$to" > /dev/null || [ "$("$cli" --json vault info "$v" | python3 -c "import json,sys; print(json.load(sys.stdin)[\"backend\"])")" = "$to" ]'
  else
    before=$(data_files "$source")
    at=$(kill_after "$cli" vault migrate "$v" --to "$to" --output "$output")
    check "$engine→$to migration with --output killed at ${at}s: the source is untouched" \
      '[ "$before" = "$(data_files "$source")" ]'
    check "$engine→$to migration with --output killed at ${at}s: the output is whole or absent" \
      '[ ! -e "$output" ] || "$cli" --vault "$output" vault verify'
    check "$engine→$to migration with --output killed at ${at}s: the source verifies" 'c vault verify'
  fi
}

for i in "${!engines[@]}"; do
  engine=${engines[$i]}; next=${engines[$(( (i + 1) % ${#engines[@]} ))]}
  for point in $(seq 1 4); do
    for op in import writes move restore migrate; do
      v="crash_${engine}_${op}_$point"
      "$cli" vault create "$v" --backend "$engine" > /dev/null
      case $op in
      migrate) [ "$next" != "$engine" ] && crash_migrate "$next" "$point" ;;
      *) "crash_$op" ;;
      esac
    done
  done
done
echo "1..$n"
exit $failed
