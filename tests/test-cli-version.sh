#!/bin/sh
# avfs-cli --version --backends: every engine listed, unavailable ones with the reason.
# usage: test-cli-version.sh AVFS_CLI LMDB_BUILT ROCKSDB_BUILT   (the last two: 1 or 0)
cli=$1; have_lmdb=$2; have_rocksdb=$3
n=0; failed=0
check() {
  n=$((n + 1))
  if eval "$2" >/dev/null 2>&1; then echo "ok $n $1"; else echo "not ok $n $1"; failed=1; fi
}
echo "1..8"
text=$("$cli" --version --backends)
check "sqlite available" 'echo "$text" | grep -Eq "^sqlite +available"'
check "memory available" 'echo "$text" | grep -Eq "^memory +available"'
check "sled unavailable, with the reason" \
  'echo "$text" | grep -E "^sled +unavailable" | grep -q "not compiled in this build"'
want() { [ "$1" = 1 ] && echo available || echo unavailable; }
check "lmdb $(want "$have_lmdb")" 'echo "$text" | grep -Eq "^lmdb +$(want "$have_lmdb") "'
check "rocksdb $(want "$have_rocksdb")" 'echo "$text" | grep -Eq "^rocksdb +$(want "$have_rocksdb") "'
json=$("$cli" --version --backends --json)
check "json lists five engines" '[ "$(echo "$json" | jq ".backends | length")" = 5 ]'
check "json gives sled a reason" \
  'echo "$json" | jq -e ".backends[] | select(.name == \"sled\" and .available == false and (.reason | test(\"not compiled\")))"'
"$cli" --no-such-flag >/dev/null 2>&1; rc=$?
check "an unknown flag is a usage error (exit 2)" '[ $rc = 2 ]'
exit $failed
