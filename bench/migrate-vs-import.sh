#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Migration against import, whole avfs-cli processes (the migration issue's target: a
# migration at least as fast as importing the same tree from disk).
#
#   bench/migrate-vs-import.sh [AVFS_CLI [ROUNDS [FILES]]]
#
# Generates FILES text files of 0.5–4 KiB in folders of 100 (the shape of avfs-bench's
# import tree), then, ROUNDS times: imports it into a new vault of each engine and
# migrates each imported vault to every other engine with --output. Prints the median
# time of each and the ratio import ÷ migration (above 1: the migration is faster).
set -euo pipefail

cli=${1:-build/src/cli/avfs-cli}
rounds=${2:-3}
files=${3:-10000}
engines=(sqlite lmdb rocksdb)

usage_error() {
  echo "migrate-vs-import.sh: $1" >&2
  echo "usage: bench/migrate-vs-import.sh [AVFS_CLI [ROUNDS [FILES]]]" >&2
  exit 2
}
[ -x "$cli" ] || usage_error "$cli is not an avfs-cli program (build the project first)"
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || usage_error "ROUNDS must be a positive number, not “$rounds”"
[[ "$files" =~ ^[1-9][0-9]*$ ]] || usage_error "FILES must be a positive number, not “$files”"

work=$(mktemp -d "${TMPDIR:-/tmp}/avfs-migrate-vs-import-XXXXXX")
trap 'rm -rf "$work"' EXIT
export AVFS_HOME=$work/home

make_tree() {
  awk -v files="$files" -v root="$work/tree" 'BEGIN {
    srand(7)
    for (i = 0; i < files; i++) {
      dir = sprintf("%s/d%03d", root, int(i / 100))
      if (i % 100 == 0) system("mkdir -p " dir)
      want = 512 + int(rand() * 3584); text = ""
      while (length(text) < want)
        text = text sprintf("line %d of file %d: lorem ipsum dolor sit amet\n", length(text), i)
      file = sprintf("%s/f%05d.txt", dir, i)
      printf "%s", text > file; close(file)
    }
  }'
}

# Milliseconds that "$@" takes.
time_ms() {
  local start
  start=$(date +%s%N)
  "$@" > /dev/null
  echo $(( ($(date +%s%N) - start) / 1000000 ))
}

median() {
  printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

extension() { [ "$1" = sqlite ] && echo avfs || echo "$1"; }

make_tree
declare -A took
for round in $(seq "$rounds"); do
  for e in "${engines[@]}"; do
    rm -rf "$AVFS_HOME/vaults/src-$e".*
    "$cli" vault create "src-$e" --backend "$e" > /dev/null
    took[import-$e]+="$(time_ms "$cli" --vault "src-$e" import "$work/tree" /) "
  done
  for from in "${engines[@]}"; do
    for to in "${engines[@]}"; do
      [ "$from" = "$to" ] && continue
      out=$work/out.$(extension "$to")
      took[$from-$to]+="$(time_ms "$cli" vault migrate "src-$from" --to "$to" --output "$out") "
      rm -rf "$out"
    done
  done
done

for to in "${engines[@]}"; do
  import=$(median ${took[import-$to]})
  printf 'import into %-8s %6d ms\n' "$to" "$import"
  for from in "${engines[@]}"; do
    [ "$from" = "$to" ] && continue
    migrate=$(median ${took[$from-$to]})
    awk -v f="$from" -v t="$to" -v m="$migrate" -v i="$import" 'BEGIN {
      printf "  migrate %-8s → %-8s %6d ms   import ÷ migration %.2f\n", f, t, m, i / m }'
  done
done
