#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Offline smoke test of the manifest's app module (docs/flatpak.md): builds a stand-in
# for the GNOME 50 runtime from a Debian 12 tree, installs it in a private Flatpak
# installation, builds the working tree with the manifest's own app module and
# finish-args, and runs the result in the sandbox. The engine modules need the network,
# so the stand-in carries Debian's lmdb, rocksdb and xapian instead; GTK is Debian's 4.8.
# Takes a few minutes and about 3.5 GB in WORKDIR.
# usage (as root on Debian 12, with debootstrap and flatpak-builder): smoke-test.sh [WORKDIR]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-/var/tmp/avfs-flatpak-smoke}
app_id=io.github.avfs.Avfs
export FLATPAK_USER_DIR="$work/flatpak-user"
# The sandbox shares the home folder's ~/.avfs: give it a home of its own.
export HOME="$work/home"
mkdir -p "$work" "$HOME"

step() { printf '== %s\n' "$*"; }

# The build packages of the project's list; the test tools stay out of the runtime.
# debootstrap does not resolve virtual packages: dconf-service needs a session bus
# (dbus-x11 provides one without systemd).
if [ ! -x "$work/rootfs/usr/bin/meson" ]; then
  step "Debian 12 tree"
  packages=$(grep -v -e '^#' -e '^flatpak-builder$' -e '^xvfb$' -e '^xauth$' \
    -e '^imagemagick$' -e '^x11-utils$' -e '^jq$' -e '^bc$' "$root/build-aux/debian-packages.txt" |
    tr '\n' ',')dbus-x11
  debootstrap --variant=minbase --include="$packages" bookworm "$work/rootfs" \
    http://deb.debian.org/debian >"$work/debootstrap.log"
fi

# One tree serves as both the Platform and the Sdk.
if ! flatpak --user info org.gnome.Sdk//50 >/dev/null 2>&1; then
  step "stand-in runtime"
  rm -rf "$work/runtime" "$work/repo"
  # build-export --runtime commits usr/ and wants an (empty) files/ beside it.
  mkdir -p "$work/runtime/files"
  cp -al "$work/rootfs/usr" "$work/runtime/usr"
  cp -a "$work/rootfs/etc" "$work/runtime/usr/etc"
  for name in org.gnome.Platform org.gnome.Sdk; do
    printf '[Runtime]\nname=%s\nruntime=org.gnome.Platform/x86_64/50\nsdk=org.gnome.Sdk/x86_64/50\n' \
      "$name" >"$work/runtime/metadata"
    flatpak build-export --runtime "$work/repo" "$work/runtime" 50 >/dev/null
  done
  flatpak --user remote-add --if-not-exists --no-gpg-verify smoke "$work/repo"
  flatpak --user install -y --noninteractive smoke org.gnome.Platform//50 org.gnome.Sdk//50 \
    >/dev/null
fi

step "the working tree, and the manifest's app module alone"
rm -rf "$work/src"
mkdir -p "$work/src"
git -C "$root" ls-files -z --cached --others --exclude-standard |
  (cd "$root" && tar --null -T - -cf -) | tar -xf - -C "$work/src"
python3 - "$root/flatpak/$app_id.json" "$work/src" "$work/smoke.json" <<'EOF'
import json, sys
manifest = json.load(open(sys.argv[1]))
manifest['modules'] = [m for m in manifest['modules'] if m['name'] == 'avfs']
manifest['modules'][0]['sources'] = [{'type': 'dir', 'path': sys.argv[2]}]
# The stand-in has neither elfutils to split debug information with nor appstream-compose.
manifest['build-options'] = {'no-debuginfo': True, 'strip': False}
manifest['appstream-compose'] = False
json.dump(manifest, open(sys.argv[3], 'w'), indent=2)
EOF

step "flatpak-builder"
flatpak-builder --user --install --force-clean --disable-rofiles-fuse --jobs=1 \
  --state-dir="$work/state" "$work/build" "$work/smoke.json" >"$work/build.log" 2>&1 ||
  { tail -n 30 "$work/build.log"; exit 1; }

step "checks"
failed=0
check() {
  if eval "$2" >"$work/check.out" 2>&1; then echo "ok - $1"
  else failed=1; echo "not ok - $1"; sed 's/^/# /' "$work/check.out"; fi
}
sandboxed() { command=$1; shift; flatpak --user run --command="$command" "$app_id" "$@"; }
check "desktop file, metainfo and icons exported" \
  'test -s "$FLATPAK_USER_DIR/exports/share/applications/$app_id.desktop" &&
   test -s "$FLATPAK_USER_DIR/exports/share/icons/hicolor/scalable/apps/$app_id.svg" &&
   test -s "$FLATPAK_USER_DIR/exports/share/icons/hicolor/symbolic/apps/$app_id-symbolic.svg" &&
   ls "$FLATPAK_USER_DIR/exports/share/metainfo/$app_id".*.xml'
check "the sandbox has exactly the manifest's permissions" \
  'flatpak --user info --show-permissions "$app_id" | grep -qx "filesystems=~/.avfs:create;" &&
   ! flatpak --user info --show-permissions "$app_id" | grep -q -e network -e "=home" -e "=host"'
check "every engine is available in the sandbox" \
  'sandboxed avfs-cli --version --backends | grep -c " available" | grep -qx 4'
check "avfs COMMAND runs headless in the sandbox" \
  'rm -rf "$HOME/.avfs" && flatpak --user run "$app_id" vault create smoke --backend lmdb &&
   test -d "$HOME/.avfs/vaults/smoke.lmdb"'
check "the German catalogue is found in the sandbox" \
  'sandboxed avfs-cli --vault smoke mkdir /a && LANGUAGE=de sandboxed avfs-cli --vault smoke tree / | grep -q "1 Verzeichnis"'
check "the rest of the home folder stays outside" \
  'echo secret >"$HOME/outside.txt" && ! sandboxed avfs-cli --vault smoke import "$HOME/outside.txt" /outside.txt'
# The window comes up on X11 (no Wayland here) and is still there ten seconds later.
window_survives() {
  xvfb-run -a -s "-screen 0 1280x800x24 -noreset" dbus-run-session -- sh -c \
    "flatpak --user run $app_id >'$work/app.log' 2>&1 & sleep 10; kill \$!" &&
    ! grep -E "CRITICAL|WARNING" "$work/app.log"
}
check "the window opens in the sandbox" window_survives
exit $failed
