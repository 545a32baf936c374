#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# `meson install` into a DESTDIR lays out what a distribution package holds (TAP):
# both programs, the engine modules, the desktop file, metainfo, schema, icons,
# translations, man pages.
# usage: test-install.sh BUILD-DIR PREFIX BINDIR DATADIR MANDIR LOCALEDIR APP-ID LIBDIR ROCKSDB(0|1)
set -u
build=$1 prefix=$2 bindir=$3 datadir=$4 mandir=$5 localedir=$6 app_id=$7 libdir=$8 rocksdb=$9

# Meson's option values are relative to the prefix unless they are absolute.
under_prefix() { case $1 in /*) echo "$1" ;; *) echo "$prefix/$1" ;; esac; }
dest=$(mktemp -d "${TMPDIR:-/tmp}/avfs-install.XXXXXX")
trap 'rm -rf "$dest"' EXIT
bin=$dest$(under_prefix "$bindir")
data=$dest$(under_prefix "$datadir")
man=$dest$(under_prefix "$mandir")
locale=$dest$(under_prefix "$localedir")
modules=$dest$(under_prefix "$libdir")/avfs

n=0 failed=0
check() {
  n=$((n + 1))
  if eval "$2" >"$dest.out" 2>&1; then
    echo "ok $n $1"
  else
    failed=$((failed + 1)); echo "not ok $n $1"; sed 's/^/# /' "$dest.out"
  fi
}

echo "1..13"
check "meson install into a DESTDIR" 'meson install -C "$build" --destdir "$dest"'
check "avfs-cli installed and runs" '"$bin/avfs-cli" --version | grep -q "^avfs "'
check "avfs installed" 'test -x "$bin/avfs"'
check "the RocksDB engine module installed where the programs look" \
  '[ "$rocksdb" = 0 ] || test -s "$modules/avfs-storage-rocksdb.so"'
check "desktop file valid" 'desktop-file-validate "$data/applications/$app_id.desktop"'
check "desktop file names the icon" 'grep -qx "Icon=$app_id" "$data/applications/$app_id.desktop"'
check "metainfo valid" 'appstreamcli validate --no-net "$data/metainfo/$app_id.metainfo.xml"'
check "schema compiles" 'glib-compile-schemas --strict --dry-run "$data/glib-2.0/schemas"'
check "scalable and symbolic icons" 'test -s "$data/icons/hicolor/scalable/apps/$app_id.svg" &&
  test -s "$data/icons/hicolor/symbolic/apps/$app_id-symbolic.svg"'
check "man pages" 'test -s "$man/man1/avfs.1" && test -s "$man/man1/avfs-cli.1"'
check "desktop file and metainfo carry German" 'grep -q "^Comment\[de\]=" "$data/applications/$app_id.desktop" &&
  grep -q "<summary xml:lang=\"de\">" "$data/metainfo/$app_id.metainfo.xml"'
check "German catalogue installed" 'test -s "$locale/de/LC_MESSAGES/avfs.mo"'
# LANGUAGE is honoured for every locale but C/POSIX; C.UTF-8 is built into glibc.
check "German catalogue translates a CLI message" \
  'test "$(TEXTDOMAINDIR="$locale" LANGUAGE=de LC_ALL=C.UTF-8 gettext -d avfs "Remove tags")" = "Schlagwörter entfernen"'
rm -f "$dest.out"
[ $failed = 0 ]
