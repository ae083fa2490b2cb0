# Sourced by the test scripts. `needs TOOL WHAT`: this entry cannot run without TOOL. Where it is
# missing (or unusable) the entry is skipped, exit 77, which ctest shows as skipped, never as
# passed; under CI=true a skip is a failure, exit 1, with a line saying which tool is missing.
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
