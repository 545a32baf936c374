#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The scale run's smoke test: `avfs-bench --scale 300 --json` gives every figure on every
# engine, each comparison next to it, and the search libraries alone on the same tree
# (timings are never checked).
# usage: test-scale.sh AVFS_BENCH ENGINE…   (the engines of this build, memory included)
bench=$1; shift
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
export AVFS_HOME="$tmp/home" TMPDIR="$tmp"
mkdir "$AVFS_HOME"
n=0; failed=0
check() {
  n=$((n + 1))
  if eval "$2" >/dev/null 2>&1; then echo "ok $n $1"; else echo "not ok $n $1"; failed=1; fi
}
installed() { command -v "$1" >/dev/null 2>&1; }

json=$("$bench" --scale 300 --json); rc=$?
check "avfs-bench --scale 300 --json exits with 0" '[ $rc = 0 ]'
check "the tree: 300 files, 75 in the listed directory, nested" \
  'echo "$json" | jq -e ".scale.files == 300 and .scale.list_entries == 75 and .scale.max_depth >= 1 and .scale.directories > 1"'
check "a missing --scale value is a usage error" '"$bench" --scale; [ $? = 2 ]'
check "--scale below 100 is a usage error" '"$bench" --scale 99; [ $? = 2 ]'

# Every engine: figures that are numbers everywhere, figures a memory vault has none of
# (no file on disk, no process but its own), and the comparisons (the program's figure
# where it is installed).
always='scale-import
scale-import-vs-sqlar
scale-import-rate
scale-index-flush
scale-random-read
scale-list-10k
scale-search-p50 rare
scale-search-p95 rare
scale-search-p50 common
scale-search-p95 common
scale-search-p50 phrase
scale-search-p95 phrase
scale-verify
scale-peak-rss
scale-peak-rss import
scale-peak-rss reads
scale-peak-rss verify'
on_disk='scale-size
scale-size-vs-sqlar
scale-index-size
scale-bytes-per-file
scale-search-process rare
scale-search-process common
scale-search-process phrase'
compared='scale-import:git
scale-import-vs-sqlar:sqlite3
scale-search-process rare:rg
scale-search-process common:rg
scale-search-process phrase:rg'
installed_json=$(printf '{"git": %s, "sqlite3": %s, "rg": %s}' \
  "$(installed git && echo true || echo false)" "$(installed sqlite3 && echo true || echo false)" \
  "$(installed rg && echo true || echo false)")
# One jq run for all the rows (a jq per check takes long on a loaded machine): a line
# "ok NAME" or "not ok NAME" per check, numbered after the checks above.
echo "$json" | jq -r --arg always "$always" --arg on_disk "$on_disk" --arg compared "$compared" \
  --argjson installed "$installed_json" '
  def one($e; $op): [.results[] | select(.backend == $e and .op == $op)]
                    | if length == 1 then .[0] else null end;
  def line($ok; $name): (if $ok then "ok" else "not ok" end) + " " + $name;
  def number: type == "number";
  . as $doc | $ARGS.positional[] as $e |
  ( ($always | split("\n")[]) as $op | ($doc | one($e; $op)) as $r
      | line($r != null and ($r.value | number); "\($e) \($op)") ),
  ( ($on_disk | split("\n")[]) as $op | ($doc | one($e; $op)) as $r
      | if $e == "memory" then line($r != null and $r.value == null; "\($e) \($op) is null")
        else line($r != null and ($r.value | number); "\($e) \($op)") end ),
  ( ("scale-raw-index", "scale-raw-index-size") as $op | ($doc | one($e; $op)) as $r
      | if $e == "memory" then line($r == null; "\($e) has no \($op) (its index is avfs'\''s own)")
        else line($r != null and ($r.value | number) and $r.value > 0;
                  "\($e) \($op): its search library alone") end ),
  ( ($doc | one($e; "scale-size")) as $r
      | line($r != null and $r.baseline == "spec table" and $r.target_ratio == 1;
             "\($e) scale-size next to the spec table") ),
  ( ($doc | one($e; "scale-peak-rss")) as $r
      | line($r != null and $r.baseline_value == 256 and ($r.met | type) == "boolean";
             "\($e) scale-peak-rss next to the 256 MiB limit") ),
  ( ($compared | split("\n")[] | split(":")) as [$op, $program] | ($doc | one($e; $op)) as $r
      | line($r != null and (if $installed[$program] then ($r.baseline_value | number)
                             else $r.baseline_value == null end);
             "\($e) \($op) next to \($program)") )
  ' --args "$@" > "$tmp/checks" || failed=1
awk -v first=$((n + 1)) '{ sub(/^(not )?ok /, "&" (first + NR - 1) " "); print }' "$tmp/checks"
grep -q '^not ok' "$tmp/checks" && failed=1
n=$((n + $(wc -l < "$tmp/checks")))
[ "$n" -gt 4 ] || failed=1
echo "1..$n"
exit $failed
