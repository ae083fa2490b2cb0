# Sourced by the test scripts. `needs TOOL WHAT`: this entry cannot run without TOOL. Where it is
# missing (or unusable) the entry is skipped, exit 77, which ctest shows as skipped, never as
# passed; under CI=true a skip is a failure, exit 1, with a line saying which tool is missing.
# Also the few commands whose flags differ between GNU and BSD (macOS) userlands, written once
# here with flags both take; tests/portable_test.sh keeps the scripts to them.
needs_fail() {  # needs_fail WHY
  if [ "${CI:-}" = true ]; then
    echo "FAIL: $1; CI=true, where a skipped check is a failure"
    exit 1
  fi
  echo "skipped: $1"
  exit 77
}
needs() {  # needs TOOL WHAT
  command -v "$1" >/dev/null 2>&1 || needs_fail "$1 is not installed ($2)"
}
# needs_bwrap: bubblewrap installed and able to make its namespaces here.
needs_bwrap() {
  needs bwrap "the grading sandbox; Debian's bubblewrap"
  bwrap --ro-bind / / --unshare-all --die-with-parent true >/dev/null 2>&1 ||
    needs_fail "bwrap cannot create its namespaces here (the grading sandbox)"
}
# needs_proc WHAT: a Linux /proc, to find processes by name or folder (macOS has none).
needs_proc() {
  [ -r /proc/self/comm ] || needs_fail "no Linux /proc here ($1)"
}
# needs_bash4 WHAT: associative arrays (macOS ships bash 3.2; Homebrew's bash is newer).
needs_bash4() {
  [ "${BASH_VERSINFO:-0}" -ge 4 ] || needs_fail "bash ${BASH_VERSION:-?} is older than 4 ($1; brew install bash)"
}

# edit FILE SED-ARGS...: sed FILE in place, replaced at once by a rename as `sed -i` and editors do.
# (GNU's `sed -i` and BSD's `sed -i ''` do not mix; BSD sed takes no \n in a replacement, so an
# added line goes on the line it follows.)
edit() {
  _edit_file=$1
  shift
  sed "$@" "$_edit_file" >"$_edit_file.edit" && mv "$_edit_file.edit" "$_edit_file"
}
# age FILE SECONDS: FILE's times set SECONDS into the past (`touch -d '-1 min'` is GNU's).
age() {
  python3 -c 'import os, sys, time; t = time.time() - float(sys.argv[2]); os.utime(sys.argv[1], (t, t))' "$1" "$2"
}
# mtime FILE: its modification time in nanoseconds (`stat -c` is GNU's, `stat -f` BSD's).
mtime() {
  python3 -c 'import os, sys; print(os.stat(sys.argv[1]).st_mtime_ns)' "$1"
}
