#!/usr/bin/env bash
# The checker's command line end to end: usage, exit codes, names, JSON, colour, and the learner
# loop in a fresh copy of the workbook (stub -> not implemented, edit -> rebuilt -> correct,
# syntax error -> compile error with file:line). Never reads or writes the real exercises/.
# What only a terminal shows is tests/terminal_test.sh.
# Needs: python3, cmake and ninja (the fresh copy's build), and the flags GNU and BSD tools share
# (tests/needs.sh, tests/portable_test.sh). Without one: skipped (exit 77), a failure under CI=true.
# usage: cli_test.sh CHECKER SOURCE_DIR BUILD_DIR
set -uo pipefail
checker=$1 src=$2 build=$3
. "$src/tests/needs.sh"
needs python3 "reads the JSON the checker prints"
needs cmake "configures a fresh copy of the workbook"
needs ninja "builds the fresh copy"
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
expect_code() {  # expect_code WANT CMD...
  local want=$1; shift
  "$@" >/tmp/bpdojo_cli_out.$$ 2>&1
  local got=$?
  if [ "$got" = "$want" ]; then ok; else bad "exit $got (want $want): $*"; sed 's/^/    /' /tmp/bpdojo_cli_out.$$ | head -20; fi
}
out() { cat /tmp/bpdojo_cli_out.$$; }
has() { if out | grep -q -- "$1"; then ok; else bad "output lacks '$1' ($2)"; out | head -20 | sed 's/^/    /'; fi; }
hasnt() { if out | grep -q -- "$1"; then bad "output has '$1' ($2)"; else ok; fi; }

cd "$src"
expect_code 0 "$checker" --help
has "check" "--help lists check"; has "list" "--help lists list"; has "Exit codes" "--help tells exit codes"
expect_code 0 "$checker" check --help
has "--solutions" "check --help"; has "--seed" "check --help"; has "--json" "check --help"

expect_code 0 "$checker" --size N=3 3 --solutions --build-dir "$build"
has "N=3  H=16" "--size before the exercise"
for name in exercise_03 03 3 exercise_03_tanh tanh EXERCISE_03; do
  expect_code 0 "$checker" "$name" --solutions --build-dir "$build"
done
has "1/1 correct" "summary line"; has "reproduce: checker exercise_03 --seed 0 --size N=8 --size H=16 --solutions" "reproduce line"
hasnt $'\033' "no colour when not a terminal"

expect_code 2 "$checker" exercise_3x --build-dir "$build"
has "the closest is exercise_03" "unknown name names the closest"
[ "$(out | wc -l)" -eq 1 ] && ok || bad "an unknown name is a one-line error"
expect_code 2 "$checker" tahn --build-dir "$build"; has "the closest is exercise_03 (tanh)" "a misspelt topic"
expect_code 2 "$checker" 3 --size Q=4 --build-dir "$build"; has "has no size Q" "bad size letter"
expect_code 2 "$checker" 3 --size N=0 --build-dir "$build"; has "out of range" "size out of range"
expect_code 2 "$checker" 3 --seed banana --build-dir "$build"
expect_code 2 "$checker" 3 --frobnicate --build-dir "$build"
expect_code 2 "$checker" 3 --build-dir /nonexistent; has "no build in" "missing build"

# The same run with another seed and size reproduces exactly.
"$checker" 3 --solutions --seed 7 --size N=3,H=5 --json --build-dir "$build" >/tmp/bpdojo_a.$$
"$checker" 3 --solutions --seed 7 --size N=3 --size H=5 --json --build-dir "$build" >/tmp/bpdojo_b.$$
if python3 - /tmp/bpdojo_a.$$ /tmp/bpdojo_b.$$ <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a["schema"] == "bpdojo.check/1" and a["exercise"] == "exercise_03" and a["seed"] == 7
assert a["sizes"] == {"N": 3, "H": 5}, a["sizes"]
g = a["gradients"][0]
assert g["name"] == "dx" and g["verdict"] == "correct" and g["expected_shape"] == [3, 5] and g["shape"] == [3, 5]
assert g["rel_error"] <= 1e-8 and a["summary"] == {"correct": 1, "total": 1, "next": None, "wrong_lines": []}
for k in ("max_abs_diff", "rel_error", "worst"):
    assert a["gradients"][0][k] == b["gradients"][0][k]
PY
then ok; else bad "--json output"; fi
rm -f /tmp/bpdojo_a.$$ /tmp/bpdojo_b.$$

# --dump: the instance and both gradients as .npy, recomputed independently in Python (with numpy
# where the system Python has it).
dump=$(mktemp -d "${TMPDIR:-/tmp}/bpdojo_cli_dump.XXXXXX")
expect_code 0 "$checker" 4 --solutions --dump "$dump/d" --build-dir "$build"
has "wrote 20 .npy files and index.json" "--dump says what it wrote"
py=python3
/usr/bin/python3 -c "import numpy" 2>/dev/null && py=/usr/bin/python3
if "$py" "$src/tests/check_dump.py" "$dump/d" >/tmp/bpdojo_cli_out.$$ 2>&1; then ok; else bad "--dump contents"; cat /tmp/bpdojo_cli_out.$$; fi
touch "$dump/file"
expect_code 2 "$checker" 4 --solutions --dump "$dump/file/d" --build-dir "$build"
has "cannot create" "--dump into a file is a setup error"
# A file it cannot write halfway through (a folder where an .npy belongs): the report stands, then one
# line on stderr and exit 2 (not std::terminate's abort).
mkdir -p "$dump/blocked/inputs/logits.npy"
"$checker" 4 --solutions --dump "$dump/blocked" --build-dir "$build" >"$dump/stdout" 2>"$dump/stderr"
code=$?
[ "$code" = 2 ] && ok || bad "a file --dump cannot write: exit $code (want 2)"
[ "$(wc -l <"$dump/stderr")" -eq 1 ] && grep -q "^checker: cannot write .*logits.npy" "$dump/stderr" && ok ||
  { bad "a file --dump cannot write is one line on stderr"; sed 's/^/    /' "$dump/stderr" | head; }
grep -q "^reproduce: checker exercise_04" "$dump/stdout" && ok || bad "the report is printed before the --dump error"
rm -rf "$dump"

# The learner loop in a fresh copy of the workbook (tests/fresh_copy.sh): each exercise's runner is
# built by the checker the first time it is checked, as after `bash setup.sh`. The checker is this
# build's: it finds the fresh copy from the current directory and uses its build/.
. "$src/tests/fresh_copy.sh"
fresh_copy "$src"
trap 'rm -rf "$work" /tmp/bpdojo_cli_out.$$' EXIT
# Every exercise but 03 (the one this script edits) gets the main build's stub runner, with the
# record that says it was built from these bytes (tests/adopt_runner.py): list and pack judge
# them without building.
for runner in "$build"/stubs/exercise_[0-9][0-9]; do
  [ "${runner##*_}" = 03 ] || python3 "$src/tests/adopt_runner.py" "$work" "${runner##*_}" "$runner"
done
wc="$checker"
cd "$work/docs"   # the workbook is found from a subfolder, as git finds a repository
expect_code 1 "$wc" 3
has "not implemented" "stub verdict"; has "0/1 correct - next: dx" "stub summary"
sleep 1
cp "$src/solutions/exercise_03_tanh.cpp" "$work/exercises/"
expect_code 0 "$wc" 3
has "1/1 correct" "the edit was rebuilt and judged"
has "exercise_03 is complete. Next: checker exercise_04 (softmax cross-entropy)" "a complete exercise says what comes next"
sleep 1
edit "$work/exercises/exercise_03_tanh.cpp" 's|  grads.dx = (1.0|  int unused = 0; grads.dx = (1.0|'
expect_code 0 "$wc" 3
has "compiler warnings" "warnings are shown"; has "unused variable" "the warning itself"; has "1/1 correct" "warnings are not fatal"
line=$(grep -n "grads.dx = (1.0" "$work/exercises/exercise_03_tanh.cpp" | cut -d: -f1)
sleep 1
edit "$work/exercises/exercise_03_tanh.cpp" 's|grads.dx = (1.0|grads.dx = (1.0 +* |'
expect_code 1 "$wc" 3
has "compile error" "compile error verdict"
has "exercises/exercise_03_tanh.cpp:[0-9]*:[0-9]*: error" "file:line of the learner's mistake"
[ "$(out | wc -l)" -le 30 ] && ok || bad "compile errors are short"
# An Eigen static assertion, at the learner's line its instantiation chain names (a warning placed
# in a header the same way needs the runner's -O1: test_workspace.cpp compiles one as runners are).
sleep 1
edit "$work/exercises/exercise_03_tanh.cpp" 's|grads.dx = (1.0 +\* |Matrix m = dh; m.colwise() += dh; grads.dx = (1.0 - |'
expect_code 1 "$wc" 3
has "exercises/exercise_03_tanh.cpp:$line:[0-9]*: error: static.assert.*YOU_TRIED_CALLING_A_VECTOR_METHOD_ON_A_MATRIX" "a header's error at the learner's line"
hasnt "VectorwiseOp.h" "not the header's lines"
expect_code 1 "$wc" list
has "exercise_03" "list shows the exercise"; has "does not compile" "list shows the compile error"
"$wc" 3 --json >/tmp/bpdojo_cli_out.$$ 2>&1
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['build']['ok'] is False and d['gradients'][0]['verdict']=='compile error'" /tmp/bpdojo_cli_out.$$ && ok || bad "compile error in JSON"

# cmake --install puts the checker on a PATH; it finds the workbook from the current directory.
cmake --install "$build" --prefix "$work/prefix" >/dev/null 2>&1 && ok || bad "cmake --install"
cp "$src/solutions/exercise_03_tanh.cpp" "$work/exercises/"
(cd "$work/exercises" && PATH="$work/prefix/bin:$PATH" checker 3 >/tmp/bpdojo_cli_out.$$ 2>&1) && ok || bad "installed checker"
has "1/1 correct" "installed checker judges"

# reset: the pristine stub comes back byte for byte, the learner's file is kept in backups/.
mine="$work/exercises/exercise_03_tanh.cpp"
before=$(cat "$mine")
expect_code 2 "$wc" reset 3 </dev/null
has "add --yes" "reset refuses to overwrite without asking"
[ "$(cat "$mine")" = "$before" ] && ok || bad "a refused reset changed the file"
expect_code 0 "$wc" reset exercise_03 --yes
has "restored exercises/exercise_03_tanh.cpp" "reset says what it did"
cmp -s "$mine" "$src/workbook/stubs/exercise_03_tanh.cpp" && ok || bad "reset did not restore the stub byte for byte"
backup=$(ls "$work"/backups/exercise_03_tanh.cpp.* 2>/dev/null | head -1)
[ -n "$backup" ] && [ "$(cat "$backup")" = "$before" ] && ok || bad "the backup does not hold the learner's file"
expect_code 0 "$wc" reset 3 --yes; has "already the pristine stub" "a second reset changes nothing"
expect_code 1 "$wc" 3; has "not implemented" "after reset the stub is judged again"

# hint: the next level on each call, --level to choose; an unknown gradient is a usage error.
expect_code 0 "$wc" hint 3 dx; has "hint 1 of 3 (where to look)" "first hint"
expect_code 0 "$wc" hint 3 dx; has "hint 2 of 3 (the local derivative)" "second hint"
expect_code 0 "$wc" hint 3 dx --level 3; has "hint 3 of 3 (the shapes)" "--level"; has "the last hint" "the last hint says so"
expect_code 0 "$wc" hint 3; has "exercise_03 dx, hint" "hint without a gradient takes the next one"
expect_code 2 "$wc" hint 3 dz; has "has no gradient 'dz'" "unknown gradient"
# hint with nothing named: the first gradient not yet correct of the first exercise not complete.
expect_code 0 "$wc" hint; has "^exercise_01 a.dw, hint 1 of 3" "hint with no arguments"

# list --json: the progress per exercise and gradient.
"$wc" list --json >/tmp/bpdojo_cli_out.$$ 2>/dev/null
python3 - /tmp/bpdojo_cli_out.$$ "$src" <<'PY' && ok || bad "list --json"
import glob, json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "bpdojo.list/1" and len(d["exercises"]) == len(glob.glob(sys.argv[2] + "/workbook/stubs/exercise_*.cpp"))
e = d["exercises"][2]
assert e["exercise"] == "exercise_03" and e["total"] == 1 and e["correct"] == 0 and e["next"] == "dx"
assert d["total"] == sum(x["total"] for x in d["exercises"])
PY
expect_code 1 "$wc" list; has "overall" "list has the overall bar"; has "0/1" "list counts"

# --sweep: the error against the step, and its SVG.
expect_code 0 "$wc" 3 --solutions --sweep dx; has "smallest error" "sweep summary"; has "plot: .*sweep_exercise_03_dx.svg" "sweep plot"
expect_code 2 "$wc" 3 --sweep dx; has "is not implemented" "sweeping an unimplemented gradient"

# watch: a save is judged again without a keystroke; q quits with 0.
fifo="$work/keys"; mkfifo "$fifo"
"$wc" watch 3 <"$fifo" >"$work/watch.log" 2>&1 &
wpid=$!
exec 7>"$fifo"
wait_for() { for _ in $(seq 1 600); do grep -q "$1" "$work/watch.log" && return 0; sleep 0.1; done; return 1; }
wait_for "0/1 correct" && ok || bad "watch shows the first verdict"
cp "$src/solutions/exercise_03_tanh.cpp" "$work/exercises/"
wait_for "1/1 correct" && ok || bad "watch judges again after a save"
wait_for "exercise_03 is complete. n: go on to exercise_04" && ok || bad "watch offers the next exercise"
printf q >&7
wait "$wpid" && ok || bad "q quits watch with exit code 0"
exec 7>&-

# pack: the exercise files an instructor's grader looks for, and a manifest of the results.
expect_code 1 "$wc" pack -o "$work/sub.tar.gz"; has "unfinished: exercise_01" "pack names the unfinished exercises"
tar -tzf "$work/sub.tar.gz" | sort >/tmp/bpdojo_cli_out.$$
count=$(ls "$src"/workbook/stubs/exercise_[0-9][0-9]_*.cpp | wc -l)
[ "$(grep -c '^exercise_[0-9][0-9]_.*\.cpp$' /tmp/bpdojo_cli_out.$$)" -eq "$count" ] && grep -qx manifest.json /tmp/bpdojo_cli_out.$$ &&
  [ "$(wc -l </tmp/bpdojo_cli_out.$$)" -eq $((count + 1)) ] && ok || bad "the archive holds the $count exercise files and manifest.json"
mkdir -p "$work/unpacked" && tar -xzf "$work/sub.tar.gz" -C "$work/unpacked"
cmp -s "$work/unpacked/exercise_03_tanh.cpp" "$work/exercises/exercise_03_tanh.cpp" && ok || bad "packed file differs"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); e=[x for x in d['exercises'] if x['exercise']=='exercise_03'][0]; assert d['schema']=='bpdojo.pack/1' and e['complete'] and e['correct']==1" \
  "$work/unpacked/manifest.json" && ok || bad "pack manifest"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
