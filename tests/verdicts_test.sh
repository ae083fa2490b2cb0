#!/usr/bin/env bash
# Never a false verdict, end to end, in a fresh copy of the workbook (never the real exercises/):
# the verdict is for the bytes in the file whatever its time says; two checkers at once never
# collide; watch judges a save made during a build again and survives errors; a run that did not
# finish normally and an unfinished pack exit with 1; exercise 08 judges sgd_step itself.
# usage: verdicts_test.sh CHECKER SOURCE_DIR BUILD_DIR   (the copy, tests/fresh_copy.sh, has its
# workbook built, not its runners: this build's CHECKER finds it from the current directory and
# builds its runners in it)
# Needs: python3 (JSON, file times), cmake and ninja (the fresh copy's build), and the flags GNU and
# BSD tools share (tests/needs.sh). Without one: skipped (exit 77), a failure under CI=true.
set -uo pipefail
checker=$1 src=$2 build=$3
. "$src/tests/needs.sh"
needs python3 "reads the JSON the checker prints and sets file times"
needs cmake "configures a fresh copy of the workbook"
needs ninja "builds the fresh copy"
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
. "$src/tests/fresh_copy.sh"
fresh_copy "$src"  # sets work (the workbook is built, not its runners)
log=$work/out
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
trap '' PIPE  # a watch that exited must fail a check, not end this script
expect_code() {  # expect_code WANT CMD...
  local want=$1; shift
  "$@" >"$log" 2>&1
  local got=$?
  if [ "$got" = "$want" ]; then ok; else bad "exit $got (want $want): $*"; sed 's/^/    /' "$log" | head -20; fi
}
has() { if grep -q -- "$1" "$log"; then ok; else bad "output lacks '$1' ($2)"; head -20 "$log" | sed 's/^/    /'; fi; }
hasnt() { if grep -q -- "$1" "$log"; then bad "output has '$1' ($2)"; grep -- "$1" "$log" | head -5 | sed 's/^/    /'; else ok; fi; }

# The exercises this script never edits get the main build's stub runners, with the records that
# say they were built from these bytes (tests/adopt_runner.py): pack judges them without building.
for runner in "$build"/stubs/exercise_[0-9][0-9]; do
  case "${runner##*_}" in 03 | 08) ;; *) python3 "$src/tests/adopt_runner.py" "$work" "${runner##*_}" "$runner" ;; esac
done
wc="$checker"
cd "$work"
ex03="$work/exercises/exercise_03_tanh.cpp"
sign_error() { edit "$1" 's|grads.dx = (1.0|grads.dx = -(1.0|'; }

# 1. The verdict is for the bytes in the file: an edit whose time is in the past is judged, and
#    the learner's file is never touched.
cp "$src/solutions/exercise_03_tanh.cpp" "$ex03"
expect_code 0 "$wc" 3; has "1/1 correct" "the solution"
sign_error "$ex03"
age "$ex03" 60
before=$(mtime "$ex03")
expect_code 1 "$wc" 3; has "0/1 correct" "an edit dated in the past is judged"
[ "$(mtime "$ex03")" = "$before" ] && ok || bad "the checker changed the time of the learner's file"
expect_code 1 "$wc" 3 --json
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['build']['rebuilt'] is False" "$log" && ok ||
  bad "an unchanged file is not rebuilt"
cp "$src/solutions/exercise_03_tanh.cpp" "$ex03"
age "$ex03" 120
expect_code 0 "$wc" 3; has "1/1 correct" "back to the solution, dated in the past"
# A workbook header the runner includes changed (its time in the past too): rebuilt.
echo "// a comment" >>"$work/workbook/include/bpdojo/exercise_03_tanh.hpp"
age "$work/workbook/include/bpdojo/exercise_03_tanh.hpp" 600
expect_code 0 "$wc" 3 --json
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['build']['rebuilt'] is True" "$log" && ok ||
  bad "a changed workbook header rebuilds the runner"
cp "$src/workbook/include/bpdojo/exercise_03_tanh.hpp" "$work/workbook/include/bpdojo/"  # as before (the adopted runners' workbook)

# 5. Exit codes: all correct and then abort() is exit 1, and the summary says so.
edit "$ex03" 's|  grads.dx = (1.0 - cache.h.array().square()) \* dh.array();|& std::abort();|'
{ echo '#include <cstdlib>'; cat "$ex03"; } >"$work/prepended" && mv "$work/prepended" "$ex03"
expect_code 1 "$wc" 3; has "1/1 correct - but the run did not finish normally: crashed: SIGABRT" "abort after all correct"
# A compile error: no "next:" for a gradient never judged.
echo "syntax error here" >>"$ex03"
expect_code 1 "$wc" 3; has "does not compile" "compile error"; hasnt "next:" "no next gradient after a compile error"
# pack writes the archive, then says the exercises are unfinished and exits 1.
expect_code 1 "$wc" pack -o "$work/sub.tar.gz"; has "unfinished: exercise_01" "pack names the unfinished exercises"
[ -s "$work/sub.tar.gz" ] && ok || bad "pack wrote no archive"
cp "$src/solutions/exercise_03_tanh.cpp" "$ex03"

# 3. watch: a save during a build is judged again; errors are shown and watching goes on.
fifo="$work/keys"; mkfifo "$fifo"
"$wc" watch 3 <"$fifo" >"$work/watch.log" 2>&1 &
wpid=$!
exec 7>"$fifo"
count() { grep -c -- "$1" "$work/watch.log"; }
wait_count() {  # wait_count TEXT N: until TEXT was shown N times
  for _ in $(seq 1 1200); do [ "$(count "$1")" -ge "$2" ] && return 0; sleep 0.1; done; return 1
}
wait_count "1/1 correct" 1 && ok || bad "watch shows the first verdict"
builds=$(count "building exercise_03")
echo "// saved once" >>"$ex03"
wait_count "building exercise_03" $((builds + 1)) && ok || bad "watch shows that it is building"
sign_error "$ex03"  # saved again while the first save is being built
age "$ex03" 60
wait_count "0/1 correct" 1 && ok || bad "a save during the build is judged"
sleep 2
[ "$(grep -E -o '[01]/1 correct' "$work/watch.log" | tail -1)" = "0/1 correct" ] && ok ||
  bad "watch's last verdict is not for the bytes in the file"
mv "$ex03" "$work/away.cpp"
wait_count "missing .*exercise_03_tanh.cpp" 1 && ok || bad "watch shows an error"
kill -0 "$wpid" 2>/dev/null && ok || bad "watch exited on an error"
mv "$work/away.cpp" "$ex03"
cp "$src/solutions/exercise_03_tanh.cpp" "$ex03"
wait_count "1/1 correct" 2 && ok || bad "watch goes on after an error"

# 2. Two checkers at once (watch and plain checks) never collide: one build at a time, and no
#    runner is run while a build writes it.
for try in 1 2 3; do
  echo "// try $try" >>"$ex03"
  pids=()
  for k in 1 2; do "$wc" 3 >"$work/plain$k.log" 2>&1 & pids+=($!); done
  for k in 1 2; do
    wait "${pids[$((k - 1))]}"; code=$?
    [ "$code" = 0 ] && ok || { bad "try $try: a check beside another and watch exited $code"; head -20 "$work/plain$k.log"; }
    if grep -q -e "Text file busy" -e "cannot run" "$work/plain$k.log"; then bad "try $try: $(grep -e busy -e 'cannot run' "$work/plain$k.log")"; else ok; fi
  done
done
sleep 2
grep -q -e "Text file busy" -e "cannot run" "$work/watch.log" && bad "watch met a busy runner" || ok
printf q >&7
wait "$wpid" && ok || bad "q quits watch with exit code 0"
exec 7>&-

# 8. Exercise 08 judges sgd_step itself: an update that never touches b2 fails, naming b2.
ex08="$work/exercises/exercise_08_train.cpp"
cp "$src/solutions/exercise_08_train.cpp" "$ex08"
edit "$ex08" 's|  p.b2 -= lr \* g.db2;|  // p.b2 -= lr * g.db2;|'
expect_code 1 "$wc" 8 --steps 200 --plot "$work/loss.svg"
has "update.b2 .*wrong" "the row of b2"; has "b2 did not move" "the diagnosis names b2"; has "update.W1 .*correct" "the other rows"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
