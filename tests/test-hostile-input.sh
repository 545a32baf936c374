#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Hostile input to avfs-cli on every persistent engine, one table of cases: each must end
# in bounded time with the expected exit status, a message a person can act on, and both
# prepared vaults unchanged (same tree, stats, history, tags, metadata, snapshots, quotas
# and audit log) and verifying. A TAP producer.
# usage: test-hostile-input.sh AVFS_CLI ENGINE...
cli=$1; shift
AVFS_HOME=$(mktemp -d); export AVFS_HOME
trap 'rm -rf "$AVFS_HOME"' EXIT
unset VFS_BACKEND NO_COLOR
H=$AVFS_HOME/host
n=0; failed=0

# Every command gets 20 seconds: a hang (a FIFO opened for reading) is a failure.
r() { timeout 20 "$cli" "$@"; }
c() { timeout 20 "$cli" --vault "v_$engine" "$@"; }
q() { timeout 20 "$cli" --vault "q_$engine" "$@"; }

# Runs a command with $AVFS_HOME/config.toml holding CONTENT (printf %b), then removes it.
with_config() {
  local status
  printf '%b' "$1" > "$AVFS_HOME/config.toml"; shift
  "$@"; status=$?
  rm -f "$AVFS_HOME/config.toml"
  return $status
}
# Runs a command and fails with 99 when FILE's content changed meanwhile.
keeps() {
  local file=$1 before status; shift
  before=$(cat "$file"); "$@"; status=$?
  [ "$(cat "$file")" = "$before" ] || { echo "$file was changed" >&2; return 99; }
  return $status
}
# Runs a command and fails with 99 unless PATH still passes TEST (-p, -c, -L) after.
stays() {
  local test=$1 path=$2 status; shift 2
  "$@"; status=$?
  [ "$test" "$path" ] || { echo "$path is no longer what it was" >&2; return 99; }
  return $status
}

N256=$(head -c 256 /dev/zero | tr '\0' n)
N4096=$(head -c 4096 /dev/zero | tr '\0' n)
Q5000=$(head -c 5000 /dev/zero | tr '\0' q)
T129=$(head -c 129 /dev/zero | tr '\0' t)
V70K=$(head -c 70000 /dev/zero | tr '\0' v)
A65=$(head -c 65 /dev/zero | tr '\0' a)
P4097=$(for i in $(seq 17); do printf '/%s' "$(head -c 240 /dev/zero | tr '\0' p)"; done)

# The host side: special files, links and trees to import, places to export to.
mkdir -p "$H/specials" "$H/tree2" "$H/exp" "$H/linked"
mkfifo "$H/fifo" "$H/specials/fifo" "$H/exp/fifo"
for s in sock specials/sock; do
  python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$H/$s"
done
# Device nodes need root (CI runs as root); without them the device cases fail, loudly.
mknod "$H/dev" c 1 3; mknod "$H/specials/dev" c 1 3; mknod "$H/exp/dev" c 1 3
ln -s loopb "$H/loopa"; ln -s loopa "$H/loopb"
ln -s loopb "$H/specials/loopa"; ln -s loopa "$H/specials/loopb"
echo "secret" > "$H/secret"
ln -s ../secret "$H/specials/out"; ln -s secret "$H/to-secret"; ln -s specials "$H/to-dir"
echo "latin-1 name" > "$H/specials/caf"$'\xe9'
ln -s made-through.avfs "$H/dangling"
echo "keep me" > "$H/target.txt"
echo "existing" > "$H/exp/a.txt"
ln -s ../target.txt "$H/exp/link.txt"
ln -s ../target.txt "$H/linked/a.txt"
mkdir -p "$H/exp/sub.txt" "$H/exp/dirs/a.txt" "$H/linkdirs" "$H/elsewhere"
ln -s ../elsewhere "$H/linkdirs/sub"
echo "one" > "$H/tree2/one"; echo "two" > "$H/tree2/two"; echo small > "$H/small.txt"
head -c 200000 /dev/zero | tr '\0' a > "$H/k200"
head -c 1000000 /dev/zero | tr '\0' b > "$H/k1000"
head -c 1500000 /dev/zero | tr '\0' c > "$H/k1500"
head -c 600000 /dev/zero | tr '\0' d > "$H/k600"

# name | command | expected exit status | what the message must contain
TABLE=(
  "path escapes / (write) | c write /../etc/evil x | 1 | leads above the vault's root"
  "path escapes / deep (write) | c write /docs/../../../evil x | 1 | leads above"
  "path escapes / (cp destination) | c cp /docs/a.txt /../a.txt | 1 | leads above"
  "path escapes / (mv destination) | c mv /docs/a.txt /docs/../../a.txt | 1 | leads above"
  "path escapes / (mkdir -p) | c mkdir -p /docs/../../x/y | 1 | leads above"
  "name .. at the root (mkdir) | c mkdir /.. | 1 | leads above"
  "name . at the root (mkdir) | c mkdir /. | 1 | / already exists"
  "name .. resolving to a directory (write) | c write /docs/sub/.. x | 1 | /docs is a directory"
  "name . as the root (write) | c write /. x | 1 | root directory"
  "rm -r / | c rm -r / | 1 | / cannot be removed"
  "rmdir of a file | c rmdir /docs/a.txt | 1 | is a file, not a directory"
  "rmdir of a non-empty directory | c rmdir /docs | 1 | is not empty"
  "mv / | c mv / /x | 1 | / cannot be moved"
  "cp -r / | c cp -r / /x | 1 | / cannot be copied"
  "mv a directory into itself | c mv /docs /docs/sub/x | 1 | cannot go inside itself"
  "cp -r a directory into itself | c cp -r /docs /docs/sub/ | 1 | cannot go inside itself"
  "a file used as a directory | c write /docs/a.txt/x y | 1 | is a file, not a directory"
  "256-byte name (write) | c write /docs/\$N256 x | 1 | longer than 255 bytes"
  "256-byte name (mkdir) | c mkdir /\$N256 | 1 | longer than 255 bytes"
  "4096-byte name (touch) | c touch /\$N4096 | 1 | longer than"
  "4096-byte name (mv destination) | c mv /docs/a.txt /docs/\$N4096 | 1 | longer than"
  "path over 4096 bytes (write) | c write \$P4097 x | 1 | longer than 4096 bytes"
  "invalid UTF-8 (write) | c write \$'/docs/bad\\xff' x | 1 | valid UTF-8"
  "invalid UTF-8 (mkdir -p) | c mkdir -p \$'/new/\\xc3' | 1 | valid UTF-8"
  "invalid UTF-8 (mv destination) | c mv /docs/a.txt \$'/docs/\\xed\\xa0\\x80' | 1 | valid UTF-8"
  "empty path | c write '' x | 1 | a path is required"
  "control characters in a path are shown escaped | c cat \$'/\\x1b[2Jred\\x07' | 1 | /\\u001b[2Jred\\u0007: no such file"
  "tag: invalid UTF-8 | c tag /docs/a.txt \$'\\xff' | 1 | not valid UTF-8"
  "tag: control character | c tag /docs/a.txt \$'x\\x1b[2J' | 1 | control character"
  "tag: whitespace | c tag /docs/a.txt 'a b' | 1 | whitespace"
  "tag: 129 bytes | c tag /docs/a.txt \$T129 | 1 | longer than 128 bytes"
  "tag: empty | c tag /docs/a.txt '' | 1 | it is empty"
  "tag: second of two bad, first not applied | c tag /docs/a.txt green 'x y' | 1 | whitespace"
  "untag: a tag not there | c untag /docs/a.txt blue | 1 | has no tag"
  "untag: second of two bad, first not removed | c untag /docs/a.txt red \$'\\x01' | 1 | control character"
  "meta: key with a space | c meta /docs/a.txt 'bad key' v | 1 | metadata key"
  "meta: key with a control character | c meta /docs/a.txt \$'k\\x07' v | 1 | metadata key"
  "meta: value not UTF-8 | c meta /docs/a.txt k \$'\\xff' | 1 | not valid UTF-8"
  "meta: 70000-byte value | c meta /docs/a.txt k \$V70K | 1 | at most 65536 bytes"
  "meta: on a missing file | c meta /nope k v | 1 | /nope: no such file"
  "vault name with / | r vault create a/b | 1 | not a vault name"
  "vault name .. | r vault create .. | 1 | not a vault name"
  "vault name of 65 characters | r vault create \$A65 | 1 | 1 to 64"
  "vault name with a control character | r vault create \$'a\\x01' | 1 | not a vault name"
  "vault use .. | r vault use .. | 1 | not a path"
  "vault delete a path | r vault delete ../vaults/v_\$engine -y | 1 | vault"
  "--vault of 65 characters | r --vault \$A65 ls / | 1 | 1 to 64"
  "snapshot name with .. and / | c snapshot save ../x | 1 | not a valid snapshot name"
  "snapshot name of 65 characters | c snapshot save \$A65 | 1 | too long"
  "snapshot description of two lines | c snapshot save s2 -m \$'two\\nlines' | 1 | one line"
  "snapshot name taken | c snapshot save s1 | 1 | already exists"
  "snapshot restore of a missing one | c snapshot restore nope | 1 | no snapshot named"
  "snapshot delete of a missing one | c snapshot delete nope | 1 | no snapshot named"
  "config.toml: unclosed table (ls) | with_config '[defaults]\\nbackend = \"sqlite\"\\n[backend.sqlite\\n' c ls / | 1 | config.toml:3"
  "config.toml: unclosed table (write) | with_config '[backend.lmdb\\n' c write /docs/new x | 1 | config.toml:1"
  "config.toml: bare word value | with_config '[defaults]\\nbackend = sqlite\\n' c stat /docs | 1 | config.toml:2"
  "config.toml: not UTF-8 | with_config '\\xff\\xfe = 1\\n' c tags | 1 | config.toml:1"
  "config.toml: unterminated string | with_config 'x = \"open\\n' c cat /docs/a.txt | 1 | config.toml:1"
  "config.toml: unclosed table (vault create) | with_config '[defaults\\n' r vault create cfg_\$engine | 1 | config.toml:1"
  "config.toml: … and no vault was made | r vault info cfg_\$engine | 1 | No vault named “cfg_"
  "config.toml: unknown engine option | with_config \"[backend.\$engine]\\nbogus_option = 3\\n\" c ls / | 1 | config.toml: Unknown option “bogus_option” for the"
  "search: unbalanced quote | c search '\"open' | 1 | the quote is never closed"
  "search: lone OR | c search OR | 1 | OR needs"
  "search: - alone | c search -- - | 1 | no letters or digits"
  "search: unknown filter foo: | c search foo:bar | 1 | is not a field"
  "search: * alone | c search '*' | 1 | no letters or digits"
  "search: unbalanced parenthesis | c search '(a' | 1 | never closed"
  "search: over-long query | c search \$Q5000 | 1 | longer than 4096 bytes"
  "search: control characters only | c search \$'\\x01\\x02' | 1 | no letters or digits"
  "search: --json error | c --json search 'a OR' | 1 | invalid_argument"
  "search: unknown --fields | c search fox --fields body | 2 | Unknown search field “body”"
  "grep: invalid regex ( | c grep '(' / | 1 | not a valid regular expression"
  "grep: invalid regex [ | c grep '[' / | 1 | not a valid regular expression"
  "grep: quantifier too big | c grep 'a{99999}' / | 1 | not a valid regular expression"
  "grep: pattern not UTF-8 | c grep \$'\\xff' / | 1 | UTF-8"
  "find: glob not UTF-8 | c find / --name \$'\\xff' | 2 | --name"
  "find: bad size 12QB | c find / --size 12QB | 2 | --size"
  "find: bad type | c find / --type x | 2 | --type"
  "find: negative limit | c find / --limit -1 | 2 | --limit"
  "find: empty metadata key | c find / --meta =v | 1 | metadata key"
  "find: metadata key with a control character | c find / --meta \$'k\\x01' | 1 | metadata key"
  "find: bad tag | c find / --tag 'a b' | 1 | whitespace"
  "import: a FIFO | c import \$H/fifo /docs/f | 1 | a fifo, socket or device"
  "import: a socket | c import \$H/sock /docs/s | 1 | a fifo, socket or device"
  "import: a device | c import \$H/dev /docs/d | 1 | a fifo, socket or device"
  "import: a symlink loop | c import \$H/loopa /docs/l | 1 | symbolic link"
  "import: a symlink to a file | c import \$H/to-secret /docs/s | 1 | symbolic link"
  "import: a symlink to a directory | c import \$H/to-dir /docs/d | 1 | symbolic link"
  "import: a tree of special files, links and a bad name (skipped) | c import \$H/specials /docs/sub | 0 | skipped 3 symlinks, 3 special files, 1 bad names"
  "import: into a path that is not UTF-8 | c import \$H/small.txt \$'/\\xff' | 1 | valid UTF-8"
  "import: missing host path | c import \$H/nothing /docs/n | 1 | No such file"
  "import: a directory onto a file | c import \$H/tree2 /docs/a.txt | 1 | is a file in the vault"
  "export: destination exists | keeps \$H/exp/a.txt c export /docs/a.txt \$H/exp/a.txt | 1 | already exists"
  "export: destination is a symlink elsewhere | keeps \$H/target.txt c export /docs/a.txt \$H/exp/link.txt | 1 | already exists"
  "export: a symlink where a file goes in a tree | keeps \$H/target.txt c export /docs \$H/linked | 1 | already exists"
  "export: a symlink where a directory goes in a tree | stays -L \$H/linkdirs/sub c export /docs \$H/linkdirs --overwrite | 1 | is not a directory"
  "export --overwrite onto a FIFO | stays -p \$H/exp/fifo c export /docs/a.txt \$H/exp/fifo --overwrite | 1 | fifo"
  "export --overwrite onto a device | stays -c \$H/exp/dev c export /docs/a.txt \$H/exp/dev --overwrite | 1 | device"
  "export: a file onto a directory | c export /docs/a.txt \$H/exp/dirs --overwrite | 1 | is a directory"
  "export: a directory onto a file | c export /docs \$H/exp/a.txt | 1 | not a directory"
  "export: a path escaping / | c export /../ \$H/exp/up | 1 | leads above"
  "--vault naming a FIFO | r --vault \$H/fifo ls / | 1 | is not a vault: it is a fifo"
  "--vault naming a device | r --vault \$H/dev ls / | 1 | is not a vault: it is a fifo, socket or device"
  "--vault naming a symlink loop | r --vault \$H/loopa ls / | 1 | No vault at"
  "migrate --output onto a symlink loop | stays -L \$H/loopa r vault migrate v_\$engine --to \$engine --output \$H/loopa | 1 | already exists"
  "migrate --output through a dangling symlink | stays -L \$H/dangling r vault migrate v_\$engine --to \$engine --output \$H/dangling | 1 | already exists"
  "migrate --output onto a FIFO | stays -p \$H/fifo r vault migrate v_\$engine --to \$engine --output \$H/fifo | 1 | already exists"
  "usage: unknown option | c ls --bogus | 2 | Unknown option"
  "usage: missing argument | c tag /docs/a.txt | 2 | missing arguments"
  "usage: version not a number | c checkout /docs/a.txt -v abc | 2 | -v"
  "usage: negative version | c cat -v -1 /docs/a.txt | 2 | -v"
  "usage: option value not UTF-8 | c snapshot save s3 -m \$'\\xff' | 2 | -m"
  "usage: quota value not a number | c quota set max_files abc | 2 | not an unsigned number"
  "usage: quota value too big | c quota set max_files 99999999999999999999 | 2 | out of bounds"
  "quota: unknown key | c quota set max_bananas 3 | 1 | max_files"
  "cat: a version that does not exist | c cat -v 99 /docs/a.txt | 1 | has no version 99"
  "diff: a version that does not exist | c diff /docs/a.txt --v2 99 | 1 | has no version 99"
  "audit: a date that does not exist | c audit --since 2026-13-45 | 2 | --since"
  "quota max_files: write | q write /new x | 1 | over its max_files quota of 3"
  "quota max_files: touch | q touch /new | 1 | over its max_files quota of 3"
  "quota max_files: cp | q cp /d/one /d/copy | 1 | over its max_files quota of 3"
  "quota max_files: cp -r | q cp -r /d /d2 | 1 | over its max_files quota of 3"
  "quota max_files: import a file | q import \$H/small.txt /imported | 1 | over its max_files quota of 3"
  "quota max_files: import a tree | q import \$H/tree2 /t | 1 | over its max_files quota of 3"
  "quota max_file_size_mb: append | q write -a /other < \$H/k200 | 1 | the file would be 1200000 bytes, over the vault's max_file_size_mb quota of 1"
  "quota max_file_size_mb: write | q write /d/one < \$H/k1500 | 1 | the file would be 1500000 bytes"
  "quota max_size_mb: write | q write /small < \$H/k1000 | 1 | the vault would hold 2600000 bytes, over its max_size_mb quota of 2"
  "quota max_file_size_mb: checkout of an old bigger version | q checkout /small -v 1 | 1 | the file would be 1500000 bytes"
  "quota max_size_mb: revert to a bigger version | q revert /small | 1 | the vault would hold 2600000 bytes"
  "quota max_file_size_mb: snapshot restore | q snapshot restore fat | 1 | would be 1500000 bytes"
  "quota max_size_mb: snapshot restore | q snapshot restore wide | 1 | the vault would hold 3000000 bytes"
)

# What must not change: the tree with every file's size, version and times, tags,
# metadata, history, snapshots, quotas, counts (not the bytes on disk) and the audit log;
# then verify.
fingerprint() {
  printf '%s\n' "stat /" "find /" "tags" "tags $2" "meta $2" "log $2" "snapshot list" \
    "quota" "stats" "audit --limit 0" "vault verify $1" |
    timeout 20 "$cli" --json --vault "$1" shell | sed -E 's/"on_disk_bytes":[0-9]+,//'
}
# The vaults a command can touch: those its c and q calls name, both for r calls.
declare -A probe=([v]=/docs/a.txt [q]=/small) baseline
targets() {
  local t=""
  [[ " $1" =~ \ c\  ]] && t+=" v"
  [[ " $1" =~ \ q\  ]] && t+=" q"
  echo "${t:- v q}"
}

# Runs one case: TAP line, and on failure what went wrong.
run_case() {
  local name=$1 command=$2 expected=$3 fragment=$4 out err status after v problems=""
  n=$((n + 1))
  out=$(eval "$command" 2> "$AVFS_HOME/stderr"); status=$?
  err=$(cat "$AVFS_HOME/stderr")
  [ "$status" = 124 ] && problems+="timed out; "
  [ "$status" = "$expected" ] || problems+="exit status $status, expected $expected; "
  grep -qF -- "$fragment" <<< "$out$err" || problems+="message lacks “$fragment”; "
  if [ "$expected" != 0 ]; then
    grep -qE '^Error: |"error":' <<< "$out$err" || problems+="no error message; "
  fi
  grep -qE 'CRITICAL|WARNING|assertion|Segmentation|core dumped|SQLITE_|MDB_|rocksdb::' <<< "$err" &&
    problems+="raw or internal text on stderr; "
  LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' <<< "$err" && problems+="a control character on stderr; "
  for v in $(targets "$command"); do
    after=$(fingerprint "${v}_$engine" "${probe[$v]}")
    grep -q '"ok":true,"problem_count":0' <<< "$after" || problems+="${v}_$engine does not verify; "
    if [ "$after" != "${baseline[$v]}" ]; then
      problems+="${v}_$engine changed; "
      diff <(echo "${baseline[$v]}") <(echo "$after") | head -n 6 >> "$AVFS_HOME/changed"
      baseline[$v]=$after
    fi
  done
  if [ -z "$problems" ]; then echo "ok $n $engine: $name"
  else
    echo "not ok $n $engine: $name"
    echo "# $problems"
    echo "$err" | head -n 3 | cut -c 1-300 | sed 's/^/#   stderr: /'
    [ -s "$AVFS_HOME/changed" ] && sed 's/^/#   /' "$AVFS_HOME/changed" | cut -c 1-300
    rm -f "$AVFS_HOME/changed"
    failed=1
  fi
}

check() {
  n=$((n + 1))
  if out=$(eval "$2" 2>&1); then echo "ok $n $1"
  else echo "not ok $n $1"; echo "$out" | sed 's/^/# /' | head -n 5; failed=1; fi
}

for engine in "$@"; do
  # The vaults the cases run against.
  check "$engine: prepare" '
    r vault create "v_$engine" --backend $engine > /dev/null &&
    c mkdir -p /docs/sub && c write /docs/a.txt "hello" && c write /docs/a.txt "hello world" &&
    c tag /docs/a.txt red && c meta /docs/a.txt author ada && c snapshot save s1 > /dev/null &&
    r vault create "q_$engine" --backend $engine > /dev/null &&
    q write /small < "$H/k1500" && q snapshot save fat > /dev/null &&
    q write /small < "$H/k1000" && q write /other < "$H/k1000" && q mkdir /d &&
    q write /d/one < "$H/k1000" && q snapshot save wide > /dev/null &&
    q write /small tiny && q write /d/one < "$H/k600" &&
    q quota set max_files 3 > /dev/null && q quota set max_size_mb 2 > /dev/null &&
    q quota set max_file_size_mb 1 > /dev/null'
  for v in v q; do baseline[$v]=$(fingerprint "${v}_$engine" "${probe[$v]}"); done
  for line in "${TABLE[@]}"; do
    IFS='|' read -r name command expected fragment <<< "$line"
    run_case "${name% }" "${command# }" $expected "${fragment# }"
  done
  # Moving adds nothing, so it still works at every limit.
  check "$engine: nothing was written through a link or outside a destination" '[ -z "$(ls -A "$H/elsewhere")" ] && [ "$(cat "$H/target.txt" "$H/secret")" = "$(printf "keep me\nsecret")" ] && [ ! -e "$H/made-through.avfs" ] && [ -p "$H/fifo" ] && [ -c "$H/dev" ]'
  check "$engine: quota: existing files still change at max_files" 'q touch /other && q write /small tiny2 && [ "$(q cat /small)" = tiny2 ]'
  check "$engine: quota: mv still works at the limits" 'q mv /other /d/other && q mv /d/other /other && [ "$(q --json stat /other | grep -o "\"size\":[0-9]*")" = "\"size\":1000000" ]'
done
echo "1..$n"
exit $failed
