#!/bin/bash
# Damaged vaults on every persistent engine: garbage, truncated and empty files in place
# of a real vault's. Opening one is a clear error (exit 1, a message that says the vault
# is damaged and what to do), never a crash or a hang, and never a write: every file of
# the damaged vault is byte-identical afterwards and no file appears or goes. A TAP
# producer.
# usage: test-corrupt-open.sh AVFS_CLI ENGINE...
cli=$1; shift
AVFS_HOME=$(mktemp -d); export AVFS_HOME
XDG_CACHE_HOME="$AVFS_HOME/cache"; export XDG_CACHE_HOME
trap 'rm -rf "$AVFS_HOME"' EXIT
unset VFS_BACKEND
cases="$AVFS_HOME/cases"; mkdir -p "$cases"
n=0; failed=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n $1"; echo "$2" | sed 's/^/# /' | head -n 5; failed=1; }

# Every file under PATH (or PATH itself) with its checksum: the vault's whole state.
fingerprint() {
  if [ -d "$1" ]; then (cd "$1" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum)
  else sha256sum < "$1"; fi
}

# expect_refused NAME PATH FRAGMENT [COMMAND...]: COMMAND (default `ls /`) on PATH
# fails as it should. With OPENS set, the damage is one the open cannot see, and the
# open itself may write (RocksDB starts a new log and manifest).
expect_refused() {
  local name=$1 path=$2 fragment=$3 before after out rc
  shift 3
  [ $# -gt 0 ] || set -- ls /
  before=$(fingerprint "$path")
  out=$(timeout 20 "$cli" --vault "$path" "$@" 2>&1); rc=$?
  after=$(fingerprint "$path")
  if [ "$rc" != 1 ]; then not_ok "$name: exit 1" "exit $rc: $out"
  elif ! echo "$out" | grep -q -- "$fragment"; then not_ok "$name: says \"$fragment\"" "$out"
  elif echo "$out" | grep -qi "critical\|assertion\|segmentation"; then not_ok "$name: no crash text" "$out"
  elif [ -z "${OPENS:-}" ] && [ "$before" != "$after" ]; then
    not_ok "$name: nothing written" "$(diff <(echo "$before") <(echo "$after"))"
  else ok "$name"; fi
}

# A real vault with some content, to damage copies of.
make_vault() {
  "$cli" vault create "good_$1" --backend "$1" > /dev/null || return 1
  for i in $(seq 20); do
    head -c 3000 /dev/urandom | base64 | "$cli" --vault "good_$1" write "/f$i.txt" || return 1
  done
  "$cli" --json vault info "good_$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["path"])'
}

for engine in "$@"; do
  good=$(make_vault "$engine") || { not_ok "$engine: make a vault" ""; continue; }
  case $engine in
  sqlite)
    head -c 65536 /dev/urandom > "$cases/garbage.avfs"
    expect_refused "sqlite: garbage file" "$cases/garbage.avfs" "not an SQLite vault"
    : > "$cases/empty.avfs"
    expect_refused "sqlite: empty file" "$cases/empty.avfs" "not an SQLite vault"
    head -c 4096 "$good" > "$cases/first-page.avfs"
    expect_refused "sqlite: truncated to its first page" "$cases/first-page.avfs" "is damaged"
    head -c $(($(stat -c %s "$good") / 2)) "$good" > "$cases/half.avfs"
    expect_refused "sqlite: truncated to half" "$cases/half.avfs" "is damaged"
    ;;
  lmdb)
    for c in garbage truncated empty; do cp -r "$good" "$cases/$c.lmdb"; done
    head -c "$(stat -c %s "$good/data.mdb")" /dev/urandom > "$cases/garbage.lmdb/data.mdb"
    expect_refused "lmdb: garbage data.mdb" "$cases/garbage.lmdb" "is damaged"
    truncate -s 8192 "$cases/truncated.lmdb/data.mdb"
    expect_refused "lmdb: data.mdb truncated to two pages" "$cases/truncated.lmdb" "is damaged"
    : > "$cases/empty.lmdb/data.mdb"
    expect_refused "lmdb: empty data.mdb" "$cases/empty.lmdb" "is damaged"
    mkdir "$cases/no-data.lmdb"
    expect_refused "lmdb: folder without data.mdb" "$cases/no-data.lmdb" "is not a vault"
    ;;
  rocksdb)
    for c in current manifest truncated short-sst sst no-current; do
      cp -r "$good" "$cases/$c.rocksdb"
    done
    echo garbage > "$cases/current.rocksdb/CURRENT"
    expect_refused "rocksdb: garbage CURRENT" "$cases/current.rocksdb" "is damaged"
    manifest=$(cat "$cases/manifest.rocksdb/CURRENT")
    head -c 4000 /dev/urandom > "$cases/manifest.rocksdb/$manifest"
    expect_refused "rocksdb: garbage MANIFEST" "$cases/manifest.rocksdb" "is damaged"
    manifest=$(cat "$cases/truncated.rocksdb/CURRENT")
    truncate -s 100 "$cases/truncated.rocksdb/$manifest"
    expect_refused "rocksdb: truncated MANIFEST" "$cases/truncated.rocksdb" "is damaged"
    sst=$(ls -S "$cases/short-sst.rocksdb/"*.sst | head -n 1)
    truncate -s $(($(stat -c %s "$sst") / 2)) "$sst"
    expect_refused "rocksdb: table file cut short" "$cases/short-sst.rocksdb" "is damaged"
    # Garbage of the right size passes the open (RocksDB reads tables when needed); the
    # first read of it, here verify's, reports the damage.
    sst=$(ls -S "$cases/sst.rocksdb/"*.sst | head -n 1)
    head -c "$(stat -c %s "$sst")" /dev/urandom > "$sst"
    OPENS=1 expect_refused "rocksdb: garbage table file, found by verify" "$cases/sst.rocksdb" \
      "is damaged" vault verify
    rm "$cases/no-current.rocksdb/CURRENT"
    expect_refused "rocksdb: folder without CURRENT" "$cases/no-current.rocksdb" "is not a vault"
    ;;
  esac
  if out=$("$cli" --vault "good_$engine" vault verify 2>&1); then ok "$engine: the original still verifies"
  else not_ok "$engine: the original still verifies" "$out"; fi
done
echo "1..$n"
exit $failed
