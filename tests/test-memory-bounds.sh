#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Memory stays flat whatever the size: writing and reading back a 4 GiB file, importing
# and exporting a 1.5 GB tree, verifying and migrating the vault that holds both each
# peak under 256 MB of resident memory (the whole avfs-cli process, its private memory
# and the pages of the vault's file it maps alike) on every persistent engine. The content is half random, half zeros, so that nothing deduplicates and the
# vault stays about half the size. Memory vaults hold everything in memory by design.
# A TAP producer.
# usage: test-memory-bounds.sh AVFS_CLI ENGINE...
cli=$1; shift
engines=("$@")
export AVFS_HOME; AVFS_HOME=$(mktemp -d); trap 'rm -rf "$AVFS_HOME"' EXIT
LIMIT_KB=$((256 * 1024))
n=0; failed=0
check() {
  n=$((n + 1))
  if out=$(eval "$2" 2>&1); then echo "ok $n $1"; echo "$out" | grep '^# '
  else echo "not ok $n $1"; echo "$out" | sed 's/^/# /' | head -n 8; failed=1; fi
}

# content MIB SEED [DIR FOLDERS FILES]: MIB mebibytes, each 512 KiB of seeded random
# bytes and 512 KiB of zeros, on stdout; or with DIR, FILES files of MIB mebibytes in
# each of FOLDERS folders of DIR.
content() {
  python3 -c '
import os, random, sys
rng = random.Random(int(sys.argv[2]))
zeros = bytes(512 * 1024)
def write(out, mib):
    for _ in range(mib):
        out.write(rng.randbytes(512 * 1024))
        out.write(zeros)
mib = int(sys.argv[1])
if len(sys.argv) == 3:
    write(sys.stdout.buffer, mib)
else:
    for d in range(int(sys.argv[4])):
        os.makedirs("%s/d%d" % (sys.argv[3], d))
        for f in range(int(sys.argv[5])):
            with open("%s/d%d/f%d.bin" % (sys.argv[3], d, f), "wb") as out:
                write(out, mib)
' "$@"
}

# measure CMD...: runs CMD (stdin passed through) and prints on fd 3 the peak of its
# private resident memory (RssAnon, sampled every 2 ms) and of its whole resident set
# (VmHWM), in KiB, and the SHA-256 of what it wrote on stdout. The whole set also counts
# the pages of the vault's file that LMDB maps in (and SQLite, with mmap_size set).
measure() {
  python3 -c '
import hashlib, os, subprocess, sys, threading, time
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE)
peak = {"RssAnon:": 0, "VmHWM:": 0}
def sample():
    while child.poll() is None:
        try:
            with open("/proc/%d/status" % child.pid) as status:
                for line in status:
                    field = line.split()
                    if field and field[0] in peak:
                        peak[field[0]] = max(peak[field[0]], int(field[1]))
        except OSError:
            pass
        time.sleep(0.002)
sampler = threading.Thread(target=sample)
sampler.start()
digest = hashlib.sha256()
for block in iter(lambda: child.stdout.read(1 << 20), b""):
    digest.update(block)
status = child.wait()
sampler.join()
os.write(3, b"%d %d %s\n" % (peak["RssAnon:"], peak["VmHWM:"], digest.hexdigest().encode()))
sys.exit(status)
' "$@"
}

# under_limit WHAT CMD...: CMD succeeds and its whole resident set peaks under the limit;
# leaves the SHA-256 of its output in $AVFS_HOME/sum.
under_limit() {
  local what=$1 anon total sum; shift
  read -r anon total sum < <( { measure "$@" 2>"$AVFS_HOME/err"; } 3>&1 >/dev/null) ||
    { cat "$AVFS_HOME/err"; return 1; }
  [ -n "$sum" ] || { cat "$AVFS_HOME/err"; return 1; }
  echo "$sum" > "$AVFS_HOME/sum"
  echo "# $what: private memory peaked at $((anon / 1024)) MB (whole resident set" \
    "$((total / 1024)) MB)" >&2
  [ "$total" -lt "$LIMIT_KB" ] || { echo "$what: the resident set peaked at $total KiB"; return 1; }
}

# A 1.5 GB tree: 12 folders of 125 files of 1 MiB.
tree=$AVFS_HOME/tree
content 1 11 "$tree" 12 125
big_sum=$(content 4096 7 | sha256sum | cut -d" " -f1)

for engine in "${engines[@]}"; do
  v="mem_$engine"
  c() { "$cli" --vault "$v" "$@"; }
  "$cli" vault create "$v" --backend "$engine" > /dev/null

  check "$engine: writing a 4 GiB file from a pipe" \
    'content 4096 7 | under_limit "write 4 GiB" "$cli" --vault "$v" write /big.bin'
  check "$engine: reading it back, byte for byte" \
    'under_limit "cat 4 GiB" "$cli" --vault "$v" cat /big.bin &&
     [ "$(cat "$AVFS_HOME/sum")" = "$big_sum" ]'
  check "$engine: importing a 1.5 GB tree" \
    'under_limit "import 1.5 GB" "$cli" --vault "$v" import "$tree" /tree'
  check "$engine: exporting it, identical" \
    'under_limit "export 1.5 GB" "$cli" --vault "$v" export /tree "$AVFS_HOME/out" &&
     diff -r "$tree" "$AVFS_HOME/out"'
  rm -rf "$AVFS_HOME/out"
  check "$engine: verifying the vault" 'under_limit "verify" "$cli" vault verify "$v"'
  to=sqlite; [ "$engine" = sqlite ] && to=lmdb
  check "$engine: migrating it to $to" \
    'under_limit "migrate to $to" "$cli" vault migrate "$v" --to $to'
  "$cli" vault delete "$v" --yes > /dev/null
done
echo "1..$n"
exit $failed
