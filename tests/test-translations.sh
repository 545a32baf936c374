#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Every source file with marked strings is in POTFILES.in, the strings extract whole, and
# every catalogue in po/LINGUAS compiles with its format strings checked and is complete
# against those strings (TAP).
# usage: test-translations.sh SOURCE-ROOT
set -u
root=$1
work=$(mktemp -d "${TMPDIR:-/tmp}/avfs-po.XXXXXX")
trap 'rm -rf "$work"' EXIT
languages=$(grep -v '^#' "$root/po/LINGUAS")

# The keywords of po/meson.build's 'glib' preset, which decide what is extracted.
(cd "$root" && xgettext --files-from=po/POTFILES.in --output="$work/avfs.pot" \
  --from-code=UTF-8 --add-comments --keyword=_ --keyword=N_ --keyword=C_:1c,2 \
  --keyword=NC_:1c,2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3) || exit 1

n=0 failed=0
report() {
  n=$((n + 1))
  if [ "$1" = 0 ]; then echo "ok $n $2"; else failed=$((failed + 1)); echo "not ok $n $2"; sed 's/^/# /' "$work/out"; fi
}

echo "1..$(($(echo $languages | wc -w) * 2 + 2))"
# A source file with marked strings that POTFILES.in does not name is never translated.
(cd "$root" && grep -l -E '(^|[^A-Za-z0-9_])(N|C|NC)?_ ?\(|ngettext \(|translatable="yes"' \
  src/*/*.c src/*/*.ui | grep -v -x -F -f po/POTFILES.in) >"$work/out"
report $((! $?)) "every source file with marked strings is in po/POTFILES.in"
# `_("%" G_GUINT64_FORMAT)` extracts as a string ending in a lone "%": the macro is not
# part of the msgid, so that string can never be translated (docs/i18n.md).
awk '/^#:/ { where = $0 } /^(msgid(_plural)? )?"(.*[^%])?%"$/ { print where ": " $0; cut = 1 }
     END { exit cut }' "$work/avfs.pot" >"$work/out"
report $? "no msgid is cut off by a format macro"
# Those are reported once, above; completeness is about the strings that can be translated.
msggrep --invert-match --msgid --extended-regexp --regexp='(^|[^%])%$' \
  --output-file="$work/whole.pot" "$work/avfs.pot" || exit 1
for lang in $languages; do
  msgfmt --check --output-file=/dev/null "$root/po/$lang.po" >"$work/out" 2>&1
  report $? "$lang.po compiles"
  # Untranslated and fuzzy entries count as missing.
  msgcmp "$root/po/$lang.po" "$work/whole.pot" >"$work/out" 2>&1
  report $? "$lang.po translates every string (update with: meson compile -C BUILD avfs-update-po)"
done
[ $failed = 0 ]
