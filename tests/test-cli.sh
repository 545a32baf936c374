#!/bin/bash
# avfs-cli end to end on every persistent engine: vault and file commands, text and JSON
# output, exit statuses, binary-safe pipes. A TAP producer.
# usage: test-cli.sh AVFS_CLI ENGINE...
cli=$1; shift
AVFS_HOME=$(mktemp -d); export AVFS_HOME
trap 'rm -rf "$AVFS_HOME"' EXIT
unset VFS_BACKEND NO_COLOR
n=0; failed=0
check() {
  n=$((n + 1))
  if out=$(eval "$2" 2>&1); then echo "ok $n $1"
  else echo "not ok $n $1"; echo "$out" | sed 's/^/# /' | head -n 5; failed=1; fi
}
json_get() { python3 -c "import json,sys; d=json.load(sys.stdin); print(*($1))"; }

for engine in "$@"; do
  c() { "$cli" --vault "v_$engine" "$@"; }
  check "$engine: vault create" '"$cli" vault create "v_$engine" --backend $engine'
  check "$engine: create again fails (1)" '! "$cli" vault create "v_$engine" --backend $engine; [ $? -ne 2 ]'
  check "$engine: mkdir -p" 'c mkdir -p /docs/deep/er'
  check "$engine: write + cat" 'c write /docs/r.txt "Hello, World!" && [ "$(c cat /docs/r.txt)" = "Hello, World!" ]'
  check "$engine: a vault opened through a symbolic link" \
    'ln -s "$("$cli" --json vault info "v_$engine" | jq -r .path)" "$AVFS_HOME/link_$engine" &&
     [ "$("$cli" --vault "$AVFS_HOME/link_$engine" cat /docs/r.txt)" = "Hello, World!" ]'
  check "$engine: write from stdin" 'printf "in\n" | c write /docs/in.txt && [ "$(c cat /docs/in.txt)" = in ]'
  check "$engine: binary pipe round trip" 'head -c 300000 /dev/urandom > "$AVFS_HOME/bin" && c write /bin < "$AVFS_HOME/bin" && c cat /bin | cmp - "$AVFS_HOME/bin"'
  check "$engine: cat | tr | write" 'c cat /docs/r.txt | tr a-z A-Z | c write /docs/upper && [ "$(c cat /docs/upper)" = "HELLO, WORLD!" ]'
  check "$engine: append" 'c write -a /docs/r.txt " more" && [ "$(c cat /docs/r.txt)" = "Hello, World! more" ]'
  check "$engine: cat -v 1" '[ "$(c cat -v 1 /docs/r.txt)" = "Hello, World!" ]'
  check "$engine: --json after the command" '[ "$(c cat /docs/r.txt --json | json_get "d[\"content\"],")" = "Hello, World! more" ]'
  check "$engine: ls --json names" '[ "$(c --json ls /docs | json_get "\",\".join(e[\"name\"] for e in d),")" = "deep,in.txt,r.txt,upper" ]'
  check "$engine: ls -l shows versions" 'c ls -l /docs | grep -E "v2 +18 .* r.txt$"'
  check "$engine: stat --json" '[ "$(c --json stat /docs/r.txt | json_get "d[\"version\"], d[\"type\"]")" = "2 file" ]'
  check "$engine: tree" 'c tree / | grep -q "└── er/" && c tree / | tail -n1 | grep -q "3 directories, 4 files"'
  check "$engine: cp into dir" 'c cp /docs/r.txt /docs/deep/ && [ "$(c cat /docs/deep/r.txt)" = "Hello, World! more" ]'
  check "$engine: mv keeps history" 'c mv /docs/r.txt /moved.txt && [ "$(c cat -v 1 /moved.txt)" = "Hello, World!" ] && ! c cat /docs/r.txt'
  check "$engine: rm non-empty dir fails" '! c rm /docs'
  check "$engine: rm -r" 'c rm -r /docs && ! c stat /docs'
  check "$engine: rm -f missing" 'c rm -f /nothing/here'
  check "$engine: touch + rmdir" 'c touch /t && c mkdir /e && c rmdir /e && [ -z "$(c cat /t)" ]'
  check "$engine: escape refused" '! c write /../../etc/evil x && ! c cat /../../etc/passwd'
  check "$engine: error JSON, exit 1" 'out=$(c --json cat /nope); [ $? = 1 ] && [ "$(echo "$out" | json_get "d[\"error\"], d[\"path\"]")" = "not_found /nope" ]'
  check "$engine: log --json, newest first" '[ "$(c --json log /moved.txt | json_get "[v[\"version\"] for v in d],")" = "[2, 1]" ]'
  check "$engine: diff shows the last change" 'c diff /moved.txt | grep -q "^+Hello, World! more"'
  check "$engine: revert + checkout" 'c revert /moved.txt && [ "$(c cat /moved.txt)" = "Hello, World!" ] && c checkout /moved.txt -v 2 && [ "$(c cat /moved.txt)" = "Hello, World! more" ]'
  check "$engine: checkout needs -v" 'c checkout /moved.txt; [ $? = 2 ]'
  check "$engine: tag, tags, find --tag, untag" 'c tag /moved.txt red blue && [ "$(c tags /moved.txt | tr "\n" " ")" = "blue red " ] && c find / --tag red | grep -qx /moved.txt && c untag /moved.txt red && ! c tags /moved.txt | grep -q red'
  check "$engine: tags --json counts" '[ "$(c --json tags | json_get "[(t[\"tag\"], t[\"count\"]) for t in d],")" = "[('"'"'blue'"'"', 1)]" ]'
  check "$engine: meta set/get/list/delete" 'c meta /moved.txt author ada && [ "$(c meta /moved.txt author)" = ada ] && c meta /moved.txt | grep -qx author=ada && c meta /moved.txt -d author && ! c meta /moved.txt author'
  check "$engine: find --name --type --size" '[ "$(c find / --name "*.txt" --type f --size +10 | tr "\n" " ")" = "/moved.txt " ]'
  check "$engine: grep -n / -l / -c" 'c grep -n Hello / | grep -qx "/moved.txt:1:Hello, World! more" && [ "$(c grep -l Hello /)" = /moved.txt ] && [ "$(c grep -c -i hello /)" = /moved.txt:1 ]'
  check "$engine: grep without a match exits 1" '! c grep zzzz /'
  check "$engine: search text: path, then snippet" 'c write /s/fox.txt "the quick brown fox" && c write /s/dog.txt "a lazy dog" && [ "$(c search fox)" = "$(printf "/s/fox.txt\n    the quick brown fox")" ]'
  check "$engine: search --json carries hits, marks, total, took_ms, engine" '[ "$(c --json search "quick OR lazy" | json_get "d[\"total\"], \",\".join(sorted(h[\"path\"] for h in d[\"hits\"])), d[\"hits\"][0][\"marks\"] != [], \"took_ms\" in d, d[\"engine\"] in (\"fts5\", \"xapian\")")" = "2 /s/dog.txt,/s/fox.txt True True True" ]'
  check "$engine: --json fractions in the fewest digits (took_ms in whole µs)" 'c --json search quick | grep -Eq "\"took_ms\":[0-9]+\.[0-9]{1,3}[,}]"'
  check "$engine: reading commands write nothing to the vault's files" \
    'p=$("$cli" --json vault info "v_$engine" | jq -r .path); before=$(ls -R "$p"*) &&
     c cat /s/fox.txt > /dev/null && c ls -l / > /dev/null && c search quick > /dev/null &&
     c stats > /dev/null && c log /s/fox.txt > /dev/null && [ "$(ls -R "$p"*)" = "$before" ]'
  check "$engine: search paging" '[ "$(c --json search "quick OR lazy" --limit 1 --offset 1 | json_get "d[\"total\"], len(d[\"hits\"])")" = "2 1" ]'
  check "$engine: search --fields name" '[ "$(c search fox --fields name | head -n1)" = /s/fox.txt ] && [ -z "$(c search brown --fields name)" ]'
  check "$engine: search nothing found is not an error" '[ -z "$(c search zebra)" ]'
  check "$engine: search bad query: message with position, exit 1" 'msg=$(c search "\"open" 2>&1); [ $? = 1 ] && echo "$msg" | grep -q "^Error: Invalid search query at position 1"'
  check "$engine: search bad query JSON" '[ "$(c --json search "a OR" | json_get "d[\"error\"],")" = invalid_argument ]'
  check "$engine: search bad --fields" '! c search fox --fields body'
  check "$engine: search needs a query or --rebuild (exit 2)" 'c search; [ $? = 2 ]'
  check "$engine: search --rebuild" 'c search --rebuild | grep -q "rebuilt" && c search --rebuild fox | grep -q /s/fox.txt'
  check "$engine: verify counts search documents" '[ "$("$cli" --json vault verify "v_$engine" | json_get "d[\"search_documents\"] > 0, d[\"ok\"]")" = "True True" ]'
  check "$engine: grep bad pattern" 'c grep "(" / 2>&1 | grep -q "not a valid regular expression"'
  check "$engine: snapshot save/list/restore/undo" 'c snapshot save s1 -m "first" && c write /moved.txt changed && c snapshot restore s1 > "$AVFS_HOME/restore.out" && [ "$(c cat /moved.txt)" = "Hello, World! more" ] && undo=$(grep -o "auto-before-restore-[0-9-]*" "$AVFS_HOME/restore.out") && c snapshot restore "$undo" && [ "$(c cat /moved.txt)" = changed ] && [ "$(c --json snapshot list | json_get "len(d),")" -ge 3 ]'
  check "$engine: snapshot info/delete" 'c snapshot info s1 | grep -q "Description: first" && c snapshot delete s1 && ! c snapshot info s1'
  check "$engine: quota set/show/refuse/clear" 'c quota set max_file_size_mb 1 && c quota | grep -q "max_file_size_mb  1" && head -c 1100000 /dev/zero | tr "\0" a > "$AVFS_HOME/big" && ! c import "$AVFS_HOME/big" /big && c quota clear max_file_size_mb && c import "$AVFS_HOME/big" /big'
  check "$engine: quota bad key" 'c quota set max_bananas 3 2>&1 | grep -q max_files'
  check "$engine: audit --json" '[ "$(c --json audit --limit 1 | json_get "d[0][\"op\"],")" = import ]'
  check "$engine: export/import round trip" 'c export / "$AVFS_HOME/out-$engine" && "$cli" vault create "r_$engine" --backend $engine && "$cli" --vault "r_$engine" import "$AVFS_HOME/out-$engine" / && "$cli" --vault "r_$engine" export / "$AVFS_HOME/back-$engine" && diff -r "$AVFS_HOME/out-$engine" "$AVFS_HOME/back-$engine"'
  check "$engine: export refuses to overwrite" '! c export / "$AVFS_HOME/out-$engine"'
  check "$engine: stats --backend-info" 'c stats --backend-info | grep -q "Collections:" && [ "$(c --json vault stats "v_$engine" | json_get "d[\"backend\"],")" = $engine ]'
  check "$engine: prune + gc" 'c prune --keep 1 && c gc | grep -q "^Removed" && [ "$(c --json log /moved.txt | json_get "len(d),")" = 1 ]'
  check "$engine: prune needs a limit" 'c prune; [ $? = 2 ]'
  check "$engine: compact" 'c compact | grep -q "^Compacted"'
  check "$engine: vault verify" '"$cli" vault verify "v_$engine" | grep -q "no problems"'
  check "$engine: verify --repair on a sound vault repairs nothing" \
    '"$cli" vault verify "v_$engine" --repair | grep -q "^Repaired 0 things" && [ "$("$cli" --json vault verify "v_$engine" --repair | json_get "d[\"repaired\"], d[\"ok\"]")" = "0 True" ]'
  if [ "$engine" = sqlite ]; then
    check "$engine: verify --repair rebuilds a lost tag index" \
      'c tag /moved.txt red && python3 -c "import sqlite3,sys; db = sqlite3.connect(sys.argv[1]); db.execute(\"delete from tag_index\"); db.commit()" "$AVFS_HOME/vaults/v_$engine.avfs" && ! "$cli" vault verify "v_$engine" > /dev/null 2>&1 && "$cli" vault verify "v_$engine" --repair | grep -q "^Repaired [1-9]" && c find / --tag red | grep -q /moved.txt && [ "$(c --json audit --limit 1 | json_get "d[0][\"op\"],")" = repair ]'
  fi
  check "$engine: error text on stderr" 'c cat /nope 2>&1 >/dev/null | grep -q "^Error: /nope: no such file or directory"'
done

first=$1; n_engines=$#
check "usage error exits 2" '"$cli" frobnicate; [ $? = 2 ]'
check "unknown flag exits 2" '"$cli" ls --bogus; [ $? = 2 ]'
check "missing argument exits 2" '"$cli" cat; [ $? = 2 ]'
check "--help lists commands" '"$cli" --help | grep -q "vault create"'
check "command --help" '"$cli" cat --help | grep -q -- "--version"'
check "a group without its command: error, the group's commands, exit 2" 'msg=$("$cli" vault 2>&1 >/dev/null); [ $? = 2 ] && echo "$msg" | grep -q "^Error: “vault” needs a command" && echo "$msg" | grep -q "^  vault migrate "'
check "a group's --help lists its commands on stdout" '"$cli" snapshot --help | grep -q "^  snapshot restore " && [ "$("$cli" help snapshot | grep -c "^  vault ")" = 0 ]'
check "a group with an unknown command" 'msg=$("$cli" vault frobnicate 2>&1); [ $? = 2 ] && echo "$msg" | grep -q "no command “vault frobnicate”"'
check "sled refused (exit 1)" 'msg=$("$cli" vault create s1 --backend sled 2>&1); [ $? = 1 ] && echo "$msg" | grep -q "not compiled in this build"'
check "vault list --json" '[ "$("$cli" --json vault list | json_get "len(d),")" = $((2 * n_engines)) ]'
check "vault use + current" '"$cli" vault use "v_$first" && "$cli" vault list | grep -q "^\* v_$first " && "$cli" ls /'
check "vault info" '"$cli" vault info "v_$first" | grep -q "Backend: $first" && "$cli" vault info "v_$first" | grep -q "^ Dictionary: none$"'
# An import of many small files trains the vault's compression dictionary (docs/vault.md).
small=$AVFS_HOME/small; mkdir "$small"
for i in $(seq 600); do printf 'note %d: the %d quick %d foxes jump over %d lazy dogs\n%.0s' $i $((i % 7)) $((i % 13)) $((i * 3)) $(seq 20) >"$small/n$i.txt"; done
check "vault info: the dictionary an import trained" '"$cli" vault create dict --backend $first >/dev/null && "$cli" --vault dict import "$small" /notes >/dev/null && [ "$("$cli" --json vault info dict | json_get "d[\"compression_dictionary_bytes\"] > 1024,")" = True ] && "$cli" vault info dict | grep -q "^ Dictionary: [0-9.]*.kB, trained on this vault.s small files$" && "$cli" --vault dict cat /notes/n600.txt | cmp - "$small/n600.txt"'
check "vault delete needs -y" '"$cli" vault delete "v_$first"; [ $? = 2 ]'
check "vault delete -y" '"$cli" vault delete "v_$first" -y && ! "$cli" vault info "v_$first"'
check "no vault chosen" 'msg=$("$cli" ls / 2>&1); [ $? = 1 ] && echo "$msg" | grep -q "vault use"'
if [[ " $* " = *" rocksdb "* ]]; then
  # RocksDB is a module (docs/storage.md): commands on other vaults never load it.
  check "rocksdb: not linked into avfs-cli" '! ldd "$cli" | grep -q librocksdb'
  check "rocksdb: a missing module is a clear error (exit 1)" \
    '"$cli" vault create mod --backend rocksdb && msg=$(AVFS_ENGINE_DIR="$AVFS_HOME/none" "$cli" --vault mod ls / 2>&1); [ $? = 1 ] &&
     echo "$msg" | grep -q "engine module cannot be loaded" && [ "$(AVFS_ENGINE_DIR="$AVFS_HOME/none" "$cli" --json --vault mod ls / | json_get "d[\"error\"],")" = backend_unavailable ] &&
     "$cli" vault delete mod -y'
fi
check "memory vault is explained" '"$cli" vault create m --backend memory 2>&1 | grep -q "memory vault"'

# vault migrate (docs/migration.md): along a chain of the engines given, each step keeping
# the original; then the options, refusals and JSON on the last vault.
mig() { "$cli" --vault mig "$@"; }
vaults="$AVFS_HOME/vaults"
ext() { case $1 in sqlite) echo avfs;; *) echo "$1";; esac; }
check "migrate: seed" '"$cli" vault create mig --backend $first && mig write /a.txt "one" && mig write /a.txt "two words" && mig tag /a.txt red && mig meta /a.txt k v && mig snapshot save s && mig export / "$AVFS_HOME/mig-before"'
from=$first
for to in "${@:2}" "$first"; do
  [ "$to" = "$from" ] && continue
  check "migrate $from→$to: dry run writes nothing" 'before=$(ls -a "$vaults"); "$cli" vault migrate mig --to $to --dry-run | grep -q "Nothing was written" && [ "$(ls -a "$vaults")" = "$before" ]'
  check "migrate $from→$to: --keep-original" '"$cli" vault migrate mig --to $to --keep-original | grep -q "kept as vault “mig-original" && [ -e "$vaults/mig.$(ext $to)" ] && [ ! -e "$vaults/mig.$(ext $from)" ]'
  check "migrate $from→$to: same files, history, tags, metadata, snapshot" 'rm -rf "$AVFS_HOME/mig-after" && mig export / "$AVFS_HOME/mig-after" && diff -r "$AVFS_HOME/mig-before" "$AVFS_HOME/mig-after" && [ "$(mig cat -v 1 /a.txt)" = one ] && mig tags /a.txt | grep -qx red && [ "$(mig meta /a.txt k)" = v ] && mig snapshot list | grep -q "^s"'
  check "migrate $from→$to: search and verify" 'mig search words | grep -q /a.txt && "$cli" vault verify mig | grep -q "no problems"'
  from=$to
done
check "migrate: numbered originals" '[ "$(ls "$vaults" | grep -c "^mig-original")" = $((n_engines > 1 ? n_engines : 0)) ]'
check "migrate: to its own engine refused" 'msg=$("$cli" vault migrate mig --to $first 2>&1); [ $? = 1 ] && echo "$msg" | grep -q "already uses $first"'
check "migrate: sled refused before anything" 'before=$(ls -a "$vaults"); msg=$("$cli" vault migrate mig --to sled 2>&1); [ $? = 1 ] && echo "$msg" | grep -qx "Error: Backend '"'"'sled'"'"' is not compiled in this build" && [ "$(ls -a "$vaults")" = "$before" ]'
check "migrate: --to required (exit 2)" '"$cli" vault migrate mig; [ $? = 2 ]'
check "migrate: --output compacts, original untouched" '"$cli" vault migrate mig --to $first --output "$AVFS_HOME/copy.vault" | grep -q "original is unchanged" && "$cli" --vault "$AVFS_HOME/copy.vault" cat /a.txt | grep -qx "two words" && [ -e "$vaults/mig.$(ext $first)" ]'
check "migrate: --output refuses an existing path" '! "$cli" vault migrate mig --to $first --output "$AVFS_HOME/copy.vault"'
check "migrate: --json result" '[ "$("$cli" --json vault migrate mig --to $first --output "$AVFS_HOME/copy2" | json_get "d[\"target\"][\"backend\"], d[\"verified\"][\"versions\"]")" = "$first 2" ]'
check "migrate: --json plan" '[ "$("$cli" --json vault migrate mig --to $first --output "$AVFS_HOME/copy3" --dry-run | json_get "d[\"dry_run\"], d[\"target\"][\"path\"] == \"$AVFS_HOME/copy3\"")" = "True True" ] && [ ! -e "$AVFS_HOME/copy3" ]'
check "migrate: --json error" '[ "$("$cli" --json vault migrate mig --to sled | json_get "d[\"error\"],")" = backend_unavailable ]'
echo "1..$n"
exit $failed
