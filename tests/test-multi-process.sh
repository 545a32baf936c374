#!/bin/bash
# Two processes on one vault: an avfs-cli shell, then the desktop app, holds it open while
# a second avfs-cli reads and writes. SQLite and LMDB serve both, each seeing what the
# other committed; RocksDB lets one process write and tells a second that writes,
# clearly, that the vault is in use, while its reading commands (opened read-only) work
# and see what the first committed. Migrating it away from under the first is refused on every engine,
# and a vault another process holds for a migration is not opened.
# A TAP producer.
# usage: test-multi-process.sh AVFS_CLI AVFS_APP ENGINE...
cli=$1; app=$2; shift 2
AVFS_HOME=$(mktemp -d); export AVFS_HOME
holder=
cleanup() { [ -n "$holder" ] && kill "$holder" 2>/dev/null; wait 2>/dev/null; rm -rf "$AVFS_HOME"; }
trap cleanup EXIT
unset VFS_BACKEND
n=0; failed=0
check() {
  n=$((n + 1))
  if out=$(eval "$2" 2>&1); then echo "ok $n $1"
  else echo "not ok $n $1"; echo "$out" | sed 's/^/# /' | head -n 5; failed=1; fi
}

# holds_vault PID PATH: whether process PID has the engine's files of vault PATH open
# (the file itself, or a file in the directory: the directory alone is only avfs's
# access lock, taken just before the engine opens).
holds_vault() {
  if [ -d "$2" ]; then ls -l "/proc/$1/fd" 2>/dev/null | grep -q -- "-> $2/"
  else ls -l "/proc/$1/fd" 2>/dev/null | grep -q -- "-> $2\$"; fi
}

# wait_holding PID PATH: waits up to 10 s for PID to open the vault.
wait_holding() {
  for _ in $(seq 200); do holds_vault "$1" "$2" && return 0; sleep 0.05; done
  return 1
}

# The second process: it works on SQLite and LMDB, and is turned away on RocksDB. It
# cannot migrate the vault away from under the first on any engine.
second_process_checks() {
  local engine=$1 who=$2 to=sqlite
  [ "$engine" = sqlite ] && to=lmdb
  check "$engine, $who open: a migration elsewhere is refused (exit 1), nothing moves" \
    'before=$(ls -a "$AVFS_HOME/vaults"); out=$("$cli" vault migrate "$v" --to $to 2>&1)
     [ $? = 1 ] && echo "$out" | grep -Eq "open in another program|in use by another process" &&
     [ "$(ls -a "$AVFS_HOME/vaults")" = "$before" ]'
  check "$engine, $who open: deleting it elsewhere is refused (exit 1)" \
    'out=$("$cli" vault delete "$v" --yes 2>&1); [ $? = 1 ] && echo "$out" | grep -q "open in another program" &&
     [ -e "$path" ]'
  check "$engine, $who open: a second process reads and searches" \
    '[ "$(c cat /a.txt)" = one ] && [ "$(c search one | head -n 1)" = /a.txt ]'
  if [ "$engine" = rocksdb ]; then
    check "$engine, $who open: a second process that writes is told the vault is in use (exit 1)" \
      'out=$(c write /second.txt x 2>&1); [ $? = 1 ] && echo "$out" | grep -q "in use by another process" &&
       ! c cat /second.txt 2>/dev/null'
  else
    check "$engine, $who open: a second process writes" "c write /from-cli-$who.txt two"
  fi
}

for engine in "$@"; do
  v="v_$engine"
  c() { "$cli" --vault "$v" "$@"; }
  check "$engine: vault create" '"$cli" vault create "$v" --backend $engine && c write /a.txt one'
  path=$("$cli" --json vault info "$v" | python3 -c 'import json,sys; print(json.load(sys.stdin)["path"])')

  # An avfs-cli shell holding the vault, fed through a FIFO.
  fifo="$AVFS_HOME/fifo"; shell_out="$AVFS_HOME/shell.out"
  mkfifo "$fifo"
  "$cli" --vault "$v" shell < "$fifo" > "$shell_out" 2>&1 &
  holder=$!
  exec 7> "$fifo"
  echo "write /from-shell.txt shell" >&7
  check "$engine: the shell has the vault open" 'wait_holding $holder "$path"'
  second_process_checks "$engine" shell
  check "$engine, shell open: the second process sees what the shell committed" \
    'for _ in $(seq 100); do [ "$(c cat /from-shell.txt 2>/dev/null)" = shell ] && exit 0; sleep 0.05; done; exit 1'
  echo "cat /from-cli-shell.txt" >&7
  echo "cat /a.txt" >&7
  exec 7>&-
  wait "$holder"; holder=
  rm -f "$fifo"
  # `cat` prints the content as it is: "two" (the second process's file), then "one".
  if [ "$engine" != rocksdb ]; then
    check "$engine: the shell saw what the second process committed" \
      '[ "$(cat "$shell_out")" = twoone ]'
  fi
  check "$engine: the shell ran to the end" '[ "$(tail -c 3 "$shell_out")" = one ]'

  # The desktop app holding the vault (under the test command's Xvfb).
  if [ -n "${DISPLAY:-}" ]; then
    "$app" "$v" > "$AVFS_HOME/app.out" 2>&1 &
    holder=$!
    check "$engine: the app has the vault open" 'wait_holding $holder "$path"'
    second_process_checks "$engine" app
    kill "$holder"; wait "$holder" 2>/dev/null; holder=
  else
    check "$engine: the app part needs a display (the test command starts Xvfb)" false
  fi
  check "$engine: the vault verifies after both" 'c vault verify'

  # A process holding the exclusive lock, as a migration does: nobody opens the vault.
  python3 -c '
import fcntl, os, sys, time
path = sys.argv[1]
if os.path.isdir(path):
    fcntl.flock(os.open(path, os.O_RDONLY), fcntl.LOCK_EX)
else:
    fcntl.lockf(os.open(path, os.O_RDWR), fcntl.LOCK_EX, 1, 0)
print("locked", flush=True)
time.sleep(30)
' "$path" > "$AVFS_HOME/locker.out" &
  holder=$!
  check "$engine: a vault being migrated elsewhere is not opened (exit 1), and says so" \
    'for _ in $(seq 200); do grep -q locked "$AVFS_HOME/locker.out" && break; sleep 0.05; done
     out=$(c cat /a.txt 2>&1); [ $? = 1 ] && echo "$out" | grep -q "being migrated by another avfs process"'
  kill "$holder"; wait "$holder" 2>/dev/null; holder=
  check "$engine: once it has let go, the vault opens" '[ "$(c cat /a.txt)" = one ]'
done
echo "1..$n"
exit $failed
