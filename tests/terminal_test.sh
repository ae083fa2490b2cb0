#!/usr/bin/env bash
# What the checker shows only on a terminal, under `script` (a pseudo-terminal): colour, and none
# with NO_COLOR; `reset` asking before it overwrites; the progress line of a slow check; the
# grader's progress line.
# Needs: script, util-linux's (Debian's bsdutils: `script -qc CMD FILE`) or BSD's (macOS: `script -q
# FILE CMD...`), whichever is here. Without it: skipped (exit 77), a failure under CI=true.
# Never reads or writes the real exercises/.
# usage: terminal_test.sh CHECKER SOURCE_DIR BUILD_DIR
set -uo pipefail
checker=$1 src=$2 build=$3
. "$src/tests/needs.sh"
needs script "a pseudo-terminal for the colour and question checks; Debian's bsdutils"
# on_terminal CMD...: runs CMD on a pseudo-terminal (stdin passed on), its output on stdout.
if script -qc true /dev/null </dev/null >/dev/null 2>&1; then
  on_terminal() { script -qc "$(printf '%q ' "$@")" /dev/null; }
elif script -q /dev/null true </dev/null >/dev/null 2>&1; then
  on_terminal() { script -q /dev/null "$@"; }
else
  needs_fail "script here takes neither util-linux's flags (-qc CMD FILE) nor BSD's (-q FILE CMD)"
fi
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
T=$(mktemp -d /tmp/bpdojo_terminal_test.XXXXXX)
trap 'rm -rf "$T"' EXIT
# shown CMD...: runs CMD on a pseudo-terminal, with nothing to read, its output in $T/out.
shown() { on_terminal "$@" >"$T/out" 2>&1 </dev/null; }
has() { if grep -a -q -- "$1" "$T/out"; then ok; else bad "output lacks '$1' ($2)"; head -20 "$T/out" | sed 's/^/    /'; fi; }
hasnt() { if grep -a -q -- "$1" "$T/out"; then bad "output has '$1' ($2)"; else ok; fi; }

cd "$src"
# Colour on a terminal, and never with NO_COLOR.
shown "$checker" 3 --solutions --build-dir "$build"
has $'\033\\[' "colour on a terminal"; has "1/1 correct" "the report itself"
shown env NO_COLOR=1 "$checker" 3 --solutions --build-dir "$build"
hasnt $'\033\\[' "NO_COLOR"; has "1/1 correct" "the report itself, without colour"

# reset asks on a terminal, and answering no leaves the file as it was. (A scratch workbook: the
# real workbook/ linked in, its own exercises/, a build folder that only has to exist.)
wb="$T/workbook"
mkdir -p "$wb/exercises" "$wb/build"
ln -s "$src/workbook" "$wb/workbook"
: >"$wb/build/CMakeCache.txt"
mine="$wb/exercises/exercise_03_tanh.cpp"
cp "$src/solutions/exercise_03_tanh.cpp" "$mine"
(cd "$wb" && printf 'n\n' | on_terminal "$checker" --build-dir "$wb/build" reset 3) >"$T/out" 2>&1
has "Replace exercises/exercise_03_tanh.cpp" "reset asks on a terminal"
has "left exercises/exercise_03_tanh.cpp as it was" "answering no"
cmp -s "$mine" "$src/solutions/exercise_03_tanh.cpp" && ok || bad "answering no changed the file"
(cd "$wb" && printf 'y\n' | on_terminal "$checker" --build-dir "$wb/build" reset 3) >"$T/out" 2>&1
has "restored exercises/exercise_03_tanh.cpp" "answering yes"
cmp -s "$mine" "$src/workbook/stubs/exercise_03_tanh.cpp" && ok || bad "answering yes did not restore the stub"

# A check that takes more than a second says what it is doing on a terminal (stderr), and erases
# the line before the report; off a terminal it says nothing of it. (Exercise 12 at N = C = 512 is
# judged in about 3.7 s on 2 cores; 06 at N = 512, 0.9 s since the batched differences, was not
# always slow enough to show the line.)
shown "$checker" 12 --solutions --size N=512,C=512 --build-dir "$build"
has 'judging exercise_12: d[a-zA-Z0-9_]*, [0-9]* of [0-9]* steps back \.\.\. [0-9]* s' "the progress line of a slow check"
has $'\r\033\[K\033\[1mexercise_12' "the line erased before the report"
"$checker" 12 --solutions --size N=512,C=512 --build-dir "$build" >"$T/out" 2>&1 </dev/null
hasnt "judging" "no progress line off a terminal"; has "9/9 correct" "the report off a terminal"

# The grader's progress line, with the count and the time left.
mkdir -p "$T/subs/solo"
cp "$src/solutions/exercise_03_tanh.cpp" "$T/subs/solo/"
shown "$checker" --build-dir "$build" grade "$T/subs" --out "$T/graded" --exercises 03 --seeds 0
has '\[1/1\] solo 10\.00/10\.00  ETA' "grading's progress on a terminal"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
