#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# avfs-cli shell: scripts on stdin (cd, relative paths, errors, per-line flags, vault use,
# memory vaults) on every engine, and a pty for the prompt, completion and history.
# A TAP producer.
# usage: test-cli-shell.sh AVFS_CLI ENGINE...
cli=$1; shift
AVFS_HOME=$(mktemp -d); export AVFS_HOME
trap 'rm -rf "$AVFS_HOME"' EXIT
unset VFS_BACKEND NO_COLOR
n=0; failed=0
check() {
  n=$((n + 1))
  if out=$(eval "$2" 2>&1); then echo "ok $n $1"
  else echo "not ok $n $1"; echo "$so" | sed 's/^/# /' | head -n 8; failed=1; fi
}
json_get() { python3 -c "import json,sys; d=json.load(sys.stdin); print(*($1))"; }
so="$AVFS_HOME/stdout"; se="$AVFS_HOME/stderr"
# run_shell ARGS… < SCRIPT: the shell's stdout in $so, stderr in $se, status in $rc.
run_shell() { "$cli" "$@" shell > "$so" 2> "$se"; rc=$?; }
line() { sed -n "$1p" "$so"; }

for engine in "$@"; do
  v="s_$engine"
  "$cli" vault create "$v" --backend "$engine" > /dev/null
  "$cli" vault create "o_$engine" --backend "$engine" > /dev/null
  "$cli" --vault "o_$engine" write /other.txt "in the other vault"
  run_shell --vault "$v" <<'EOF'
# a comment, then a blank line

mkdir -p docs/deep
cd docs
write notes.txt "hello shell"
pwd
ls
cat missing.txt
cat notes.txt
cd notes.txt
pwd
cd deep
cd ..
pwd
cd -
pwd
EOF
  check "$engine: exit status 0 despite failures" '[ $rc = 0 ]'
  check "$engine: relative write lands in the working directory" \
    '[ "$("$cli" --vault "$v" cat /docs/notes.txt)" = "hello shell" ]'
  check "$engine: pwd after cd" '[ "$(line 1)" = /docs ]'
  check "$engine: ls lists the working directory" '[ "$(line 2) $(line 3)" = "deep/ notes.txt" ]'
  check "$engine: a failing command, then a working one" \
    'grep -qx "Error: /docs/missing.txt: no such file or directory" "$se" && [ "$(line 4)" = "hello shell/docs" ]'
  check "$engine: cd into a file is refused" \
    'grep -qx "Error: /docs/notes.txt: not a directory" "$se"'
  check "$engine: cd .. and cd -" '[ "$(line 5)" = /docs ] && [ "$(line 6)" = /docs/deep ]'
  check "$engine: no prompt without a terminal" '! grep -q "avfs " "$so"'

  # Commands that open vaults by name run beside the shell's open vault.
  run_shell --vault "$v" <<EOF
vault info
vault stats $v
--vault $v cat /docs/notes.txt
vault verify $v
stat /docs/notes.txt
--vault o_$engine cat other.txt
cat /docs/notes.txt
EOF
  check "$engine: vault info, stats, verify and --vault on the open vault" \
    '[ $rc = 0 ] && [ ! -s "$se" ] && grep -q "Backend: $engine" "$so" && grep -q "no problems" "$so" && [ "$(grep -o "hello shell" "$so" | wc -l)" = 2 ]'
  # (cat adds no newline: the two files' contents end up on one line)
  check "$engine: --vault applies to its line only" \
    '[ "$(tail -n 1 "$so")" = "in the other vaulthello shell" ]'

  run_shell --vault "$v" <<EOF
cd docs
vault use o_$engine
pwd
cat other.txt
EOF
  check "$engine: vault use switches the shell's vault, at its root" \
    '[ "$(line 1)" = "Now using vault “o_$engine”" ] && [ "$(line 2)" = / ] && [ "$(line 3)" = "in the other vault" ]'
  check "$engine: vault use also sets the current vault" '"$cli" vault list | grep -q "^\* o_$engine "'
done

"$cli" vault create plain > /dev/null
"$cli" vault use plain > /dev/null
run_shell <<'EOF'
vault create mem --backend memory
vault use mem
write m.txt "kept in memory"
vault info mem
vault list
cat m.txt
--vault plain write /from-shell.txt x
ls
EOF
check "memory vault lasts across lines" \
  '[ $rc = 0 ] && grep -q "^  mem .*memory .*(in memory)" "$so" && grep -q "^Now using vault “mem” in this shell" "$so" && [ "$(tail -n 1 "$so")" = "kept in memorym.txt" ]'
check "memory vault: no one-command warning in the shell" '! grep -q "Note:" "$se"'
check "memory vault is gone after the shell, plain is still current" \
  '! "$cli" vault list | grep -q "^. mem " && "$cli" vault list | grep -q "^\* plain " && "$cli" cat /from-shell.txt'

run_shell <<'EOF'
--json pwd
pwd
ls --json /
ls /
--vault=nosuchvault ls
EOF
check "--json applies to its line only" \
  '[ "$(line 1 | json_get "d[\"path\"],")" = / ] && [ "$(line 2)" = / ] && [ "$(line 3 | json_get "[e[\"name\"] for e in d],")" = "['"'"'from-shell.txt'"'"']" ] && [ "$(line 4)" = from-shell.txt ]'
check "an unknown vault on one line is an error" 'grep -q "nosuchvault" "$se"'

run_shell --json <<'EOF'
pwd
cat nothing
mkdir /j
EOF
check "--json shell: every line prints JSON" \
  '[ "$(line 1 | json_get "d[\"path\"],")" = / ] && [ "$(line 2 | json_get "d[\"error\"],")" = not_found ] && [ "$(line 3 | json_get "d[\"ok\"],")" = True ]'

run_shell <<'EOF'
ls --bogus
write "unbalanced
frobnicate
shell
echo done
pwd
exit
pwd
EOF
check "usage errors, bad quoting and unknown commands go on" \
  'grep -q "Unknown option --bogus" "$se" && grep -qi "quote" "$se" && grep -q "unknown command “frobnicate”" "$se" && grep -q "unknown command “echo”" "$se" && [ "$(cat "$so")" = / ]'
check "shell inside the shell is refused" 'grep -q "this is the shell already" "$se"'

run_shell <<'EOF'
help
help ls
help vault
help cd
help nonsense
EOF
check "help lists commands and shell commands" \
  'grep -Eq "^  vault create +Create a vault" "$so" && grep -Eq "^  cd +Change the working directory" "$so"'
check "help COMMAND shows its options" \
  'grep -q -- "--long" "$so" && grep -Eq "^  vault verify " "$so" && grep -q "cd \[PATH | -\]" "$so" && grep -q "no command “nonsense”" "$se"'

printf 'write rest.txt\nfirst line\nsecond line\n' | "$cli" shell > /dev/null 2>&1
check "write without CONTENT takes the rest of stdin, as in sh" \
  '[ "$("$cli" cat /rest.txt)" = "$(printf "first line\nsecond line")" ]'

# Through a terminal: the prompt, completion and history.
drive="$AVFS_HOME/drive.py"
cat > "$drive" <<'EOF'
# drive.py ARGV… -- STEP…: runs ARGV on a pty; a STEP is "send:KEYS" (Python escapes)
# or "expect:TEXT" (waits up to 10 s for it in the output since the last expect).
import os, pty, select, sys, time
split = sys.argv.index('--')
argv, steps = sys.argv[1:split], sys.argv[split + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.environ.update(TERM='dumb', INPUTRC='/dev/null')
    os.execv(argv[0], argv)
seen = b''
def read(timeout):
    global seen
    ready, _, _ = select.select([fd], [], [], timeout)
    if not ready:
        return False
    try:
        data = os.read(fd, 4096)
    except OSError:
        return None
    seen += data
    return bool(data)
mark = 0
for step in steps:
    kind, _, arg = step.partition(':')
    arg = arg.encode().decode('unicode_escape').encode()
    if kind == 'send':
        os.write(fd, arg)
        time.sleep(0.05)
        continue
    end = time.time() + 10
    while arg not in seen[mark:] and time.time() < end and read(0.1) is not None:
        pass
    if arg not in seen[mark:]:
        os.kill(pid, 9)
        sys.stdout.write(seen.decode(errors='replace'))
        sys.exit('expected %r' % arg)
    mark = seen.index(arg, mark) + len(arg)
os.write(fd, b'\x05\x15\x04')  # end of the line, kill it, end of input
status = None
end = time.time() + 10
while status is None and time.time() < end:
    read(0.1)
    done, code = os.waitpid(pid, os.WNOHANG)
    status = code if done == pid else None
if status is None:
    os.kill(pid, 9)
    sys.exit('the shell did not leave on Ctrl-D')
sys.stdout.write(seen.decode(errors='replace').replace('\r', ''))
sys.exit(os.waitstatus_to_exitcode(status))
EOF
pty_shell() { python3 "$drive" "$cli" "$@"; }
"$cli" --vault plain write /documents/report.txt "quarterly report"
"$cli" --vault plain mkdir /dev-notes
"$cli" --vault plain write "/with space/a b.txt" "spaced out"
first=$1

check "prompt shows the vault and the working directory" \
  'pty_shell --vault plain shell -- expect:"avfs plain:/> " send:"cd documents\n" expect:"avfs plain:/documents> "'
check "TAB completes a command name" \
  'pty_shell --vault plain shell -- expect:"> " send:"vault cr\t" expect:"vault create " send:"tabbed\n" expect:"Created vault" expect:"> " && "$cli" vault info tabbed'
check "TAB completes a vault path" \
  'pty_shell --vault plain shell -- expect:"> " send:"cat docu\t" expect:"documents/" send:"rep\t\n" expect:"quarterly report"'
check "TAB completes a relative path from the working directory" \
  'pty_shell --vault plain shell -- expect:"> " send:"cd documents\n" expect:"documents> " send:"stat re\t\n" expect:"Path: /documents/report.txt"'
check "TAB escapes spaces in paths" \
  'pty_shell --vault plain shell -- expect:"> " send:"cat wi\t" expect:"with\\\\ space/" send:"a\t\n" expect:"spaced out"'
check "TAB completes inside quotes and closes them" \
  'pty_shell --vault plain shell -- expect:"> " send:"stat \"with\t" expect:"with space/" send:"a\t\n" expect:"Path: /with space/a b.txt"'
check "TAB TAB lists the choices" \
  'pty_shell --vault plain shell -- expect:"> " send:"cd d\t" expect:"cd d" send:"\t" expect:"dev-notes/" expect:"documents/"'
check "TAB completes a command's options" \
  'pty_shell --vault plain shell -- expect:"> " send:"ls --lo\t/\n" expect:"--long " expect:"dev-notes/"'
check "TAB completes vault names" \
  'pty_shell --vault plain shell -- expect:"> " send:"vault info s_$first\t\n" expect:"Backend: $first"'
check "Ctrl-C drops the line, the shell goes on" \
  'pty_shell --vault plain shell -- expect:"> " send:"rm -r /documents\x03" send:"pwd\n" expect:"/\r\n" && "$cli" --vault plain stat /documents'
check "history is kept in \$AVFS_HOME/history" \
  'pty_shell --vault plain shell -- expect:"> " send:"stat /dev-notes\n" expect:"Type: directory" && tail -n 1 "$AVFS_HOME/history" | grep -qx "stat /dev-notes"'
check "history comes back in the next session (Ctrl-P)" \
  'pty_shell --vault plain shell -- expect:"> " send:"\x10\n" expect:"Path: /dev-notes"'
check "Ctrl-D leaves with status 0" 'pty_shell --vault plain shell -- expect:"> "'

echo "1..$n"
exit $failed
