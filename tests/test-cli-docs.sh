#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The CLI's documentation stays true: docs/avfs.1 renders without warnings, and it and
# docs/cli.md name every command and every option avfs-cli has. A TAP producer.
# usage: test-cli-docs.sh AVFS_CLI DOCS_DIR
cli=$1; docs=$2
n=0; failed=0
check() {
  n=$((n + 1))
  if out=$(eval "$2" 2>&1); then echo "ok $n $1"
  else echo "not ok $n $1"; echo "$out" | sed 's/^/# /' | head -n 8; failed=1; fi
}
# The man page as plain words: no font escapes, \- as -.
man_text=$(sed 's/\\-/-/g; s/\\f[BIRP]//g; s/\\(aq/'"'"'/g' "$docs/avfs.1")
md_text=$(cat "$docs/cli.md")
commands=$("$cli" --help | sed -n '/^Commands:/,/^$/p' | sed -n 's/^  \(.\{16\}\).*/\1/p' | sed 's/ *$//')

if command -v groff > /dev/null; then
  check "avfs.1 renders without warnings" '[ -z "$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$docs/avfs.1" 2>&1)" ]'
else
  n=$((n + 1)); echo "ok $n avfs.1 renders without warnings # SKIP no groff"
fi
check "avfs-cli.1 is avfs.1" '[ "$(cat "$docs/avfs-cli.1")" = ".so man1/avfs.1" ]'
check "the command list is not empty" '[ "$(echo "$commands" | wc -l)" -gt 30 ]'
while IFS= read -r command; do
  options=$("$cli" $command --help | grep -oE '^ +(-[a-zA-Z0-9], )?--[a-z0-9-]+' | grep -oE -- '--[a-z0-9-]+$')
  missing=""
  for word in "$command" $options; do
    grep -qF -- "$word" <<< "$man_text" || missing="$missing avfs.1:$word"
    grep -qF -- "$word" <<< "$md_text" || missing="$missing cli.md:$word"
  done
  check "$command and its options are documented" '[ -z "$missing" ] || { echo "missing:$missing"; false; }'
done <<< "$commands"
echo "1..$n"
exit $failed
