#!/usr/bin/env bash
# `checker grade` end to end (docs/instructors.md): the hostile catalogue (tests/hostile/), with the
# sandbox and with --no-sandbox; full marks for the reference solutions and none for the stubs;
# how files are found in a submission; --resume after SIGKILL, SIGINT; --gradescope; exit codes;
# --weights; --regrade; and a `checker pack` archive graded as its manifest says.
# Everything happens in a scratch folder under /tmp; the workbook and its build are only read.
# Needs: python3; the catalogue and concurrent parts bubblewrap; the catalogue, nosandbox, resume
# and concurrent parts a Linux /proc (processes found by name and folder) and the catalogue parts
# bash 4 (an associative array; macOS ships 3.2). Without one: skipped (exit 77), a failure under
# CI=true. Otherwise the flags GNU and BSD tools share (tests/needs.sh, tests/portable_test.sh).
# usage: grade_test.sh CHECKER SOURCE_DIR BUILD_DIR
set -uo pipefail
checker=$1 src=$2 build=$3
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
note() { echo "NOTE: $*"; }
section() { echo "== $* (at ${SECONDS}s)"; }
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
# GRADE_TEST_ONLY="catalogue nosandbox reference resume exitcodes gradescope pack ids concurrent summary" runs only those
# parts (exitcodes needs resume); GRADE_TEST_HOSTILE="segfault loop ..." grades only those files
# of the hostile catalogue; GRADE_TEST_SEEDS (default 2) is the --seeds of the reference part,
# and the resume part grades one hidden instance unless it is 0 (the default instance only).
# The catalogue part needs bubblewrap (tests/needs.sh).
only=${GRADE_TEST_ONLY:-}
hostile=${GRADE_TEST_HOSTILE:-}
seeds=${GRADE_TEST_SEEDS:-2}
. "$src/tests/needs.sh"
want() { [ -z "$only" ] || [[ " $only " == *" $1 "* ]] || [[ $1 == resume && " $only " == *" exitcodes "* ]]; }
needs python3 "reads the JSON the grader writes"
{ want catalogue || want concurrent; } && needs_bwrap
{ want catalogue || want nosandbox || want resume || want concurrent; } && needs_proc "finds the processes a run left behind"
{ want catalogue || want nosandbox; } && needs_bash4 "the catalogue's table of verdicts"

T=$(mktemp -d /tmp/bpdojo_grade_test.XXXXXX)
tag=$(basename "$T" | tail -c 7)  # names the processes hostile fixtures start (bomb<tag>, daemon<tag>)
bg_pid=""
# Processes the fixtures of this run left behind, by their name.
leftovers() {
  local p
  for p in /proc/[0-9]*; do
    grep -a -qs -- "$tag" "$p/comm" && echo "${p#/proc/}"
  done
}
kill_leftovers() {
  local p
  for p in $(leftovers); do kill -KILL "$p" 2>/dev/null; done
}
cleanup() {
  [ -n "$bg_pid" ] && kill -KILL "$bg_pid" 2>/dev/null
  kill_leftovers
  rm -rf "$T"
}
trap cleanup EXIT

cd "$src"
grade() { "$checker" --build-dir "$build" grade "$@"; }
expect_code() {  # expect_code WANT CMD...
  local want=$1; shift
  "$@" >"$T/cmd.out" 2>&1
  local got=$?
  if [ "$got" = "$want" ]; then ok; else bad "exit $got (want $want): $*"; sed 's/^/    /' "$T/cmd.out" | head -20; fi
}
out() { cat "$T/cmd.out"; }
has() { if out | grep -a -qE -- "$1"; then ok; else bad "output lacks '$1' ($2)"; out | head -20 | sed 's/^/    /'; fi; }
one_line() { [ "$(out | wc -l)" -eq 1 ] && ok || { bad "not a one-line error ($1)"; out | head -5 | sed 's/^/    /'; }; }
# fb OUT STUDENT REGEX DESC: the student's feedback file matches REGEX (grep -a -E).
fb() {
  if grep -a -qE -- "$3" "$1/feedback/$2.txt" 2>/dev/null; then ok; else
    bad "feedback/$2.txt lacks /$3/ ($4)"
    sed 's/^/    /' "$1/feedback/$2.txt" 2>/dev/null | head -30
  fi
}
fb_not() {
  if grep -a -qE -- "$3" "$1/feedback/$2.txt" 2>/dev/null; then bad "feedback/$2.txt has /$3/ ($4)"; else ok; fi
}
# cell OUT STUDENT COLUMN: a gradebook cell ("no row" when the student has none).
cell() {
  "$py" - "$1/gradebook.csv" "$2" "$3" <<'PY'
import csv, sys
for row in csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8", errors="replace")):
    if row["student"] == sys.argv[2]:
        print(row.get(sys.argv[3], "no column"))
        break
else:
    print("no row")
PY
}
expect_cell() {  # expect_cell OUT STUDENT COLUMN WANT DESC
  local got
  got=$(cell "$1" "$2" "$3")
  if [ "$got" = "$4" ]; then ok; else bad "gradebook $2/$3 is '$got', want '$4' ($5)"; fi
}
# status OUT STUDENT EXERCISE GRADIENT: the status of a results.jsonl line.
status() {
  "$py" - "$1/results.jsonl" "$2" "$3" "$4" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    r = json.loads(line)
    if (r["student"], r["exercise"], r["gradient"]) == tuple(sys.argv[2:5]):
        print(r["status"])
        break
else:
    print("no line")
PY
}
expect_status() {  # expect_status OUT STUDENT EXERCISE GRADIENT WANT
  local got
  got=$(status "$1" "$2" "$3" "$4")
  if [ "$got" = "$5" ]; then ok; else bad "results.jsonl $2 $3 $4: status '$got', want '$5'"; fi
}
# The gradebook has exactly one row per student of SUBS (a folder, or an archive: named without its
# extension unless a folder or another archive has that name), and the files every student gets.
complete_gradebook() {  # complete_gradebook SUBS OUT DESC
  "$py" - "$1" "$2" <<'PY' && ok || bad "incomplete results ($3)"
import csv, json, os, sys
subs, out = sys.argv[1:3]
folders = [d for d in os.listdir(subs) if d != "__MACOSX" and os.path.isdir(os.path.join(subs, d))
           and not os.path.islink(os.path.join(subs, d))]
packed = {}
for f in os.listdir(subs):
    path = os.path.join(subs, f)
    ext = next((e for e in (".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar", ".zip")
                if f.lower().endswith(e) and len(f) > len(e)), None)
    if ext and os.path.isfile(path) and not os.path.islink(path):
        packed.setdefault(f[: -len(ext)], []).append(f)
students = list(folders)
for stem, names in packed.items():
    students += [stem] if len(names) == 1 and stem not in folders else names
students.sort()
rows = list(csv.reader(open(os.path.join(out, "gradebook.csv"), newline="", encoding="utf-8", errors="replace")))
header, rows = rows[0], rows[1:]
assert header[0] == "student" and header[-1] == "total", header
got = [r[0] for r in rows]
assert got == students, ("rows", got, "students", students)
for r in rows:
    assert len(r) == len(header), r
    nums = [float(x) for x in r[1:]]
    assert abs(sum(nums[:-1]) - nums[-1]) < 0.02, r
lines = [json.loads(l) for l in open(os.path.join(out, "results.jsonl"), encoding="utf-8", errors="replace")]
assert sorted({l["student"] for l in lines}) == students, "results.jsonl students"
for s in students:
    assert os.path.isfile(os.path.join(out, "feedback", s + ".txt")), "no feedback for " + s
PY
}
# No submission's feedback shows the grader's own trouble (a sandbox that could not start, a slot
# out of processes): that is not the student's doing.
no_infra_errors() {  # no_infra_errors OUT DESC
  local hit
  hit=$(grep -a -lE 'Resource temporarily unavailable|Creating new namespace failed|cannot run the compiler' "$1"/feedback/*.txt 2>/dev/null)
  [ -z "$hit" ] && ok || bad "the grader's own failures reported as the students' ($2): $(echo $hit | sed "s|$1/feedback/||g")"
}
# Every JSON file the run wrote is valid JSON in UTF-8, whatever bytes the submissions printed.
valid_json() {  # valid_json OUT DESC
  if "$py" - "$1" >"$T/valid.out" 2>&1 <<'PY'; then ok; else bad "a file that is not valid UTF-8 JSON ($2)"; cat "$T/valid.out"; fi
import glob, json, os, sys
out = sys.argv[1]
problems = []
files = [os.path.join(out, "run.json"), os.path.join(out, "results.jsonl")]
files += sorted(glob.glob(os.path.join(out, "gradescope", "*.json"))) + glob.glob(os.path.join(out, "results.json"))
for f in files:
    try:
        raw = open(f, "rb").read()
        for doc in raw.splitlines() if f.endswith(".jsonl") else [raw]:
            json.loads(doc.decode("utf-8"))
    except Exception as e:
        problems.append("%s: %s" % (os.path.relpath(f, out), str(e)[:100]))
for p in problems:
    print("    " + p)
sys.exit(1 if problems else 0)
PY
}
snapshot() { (cd "$1" && find . -type f -exec cksum {} + | sort); }
# Copies a hostile fixture into SUBS/<what>/exercise_03_tanh.cpp with the project's paths in it.
fixture() {  # fixture SUBS WHAT
  mkdir -p "$1/$2"
  sed -e "s|@SOURCE_DIR@|$src|g" -e "s|@BUILD_DIR@|$build|g" -e "s|@TAG@|$tag|g" \
    "$src/tests/hostile/exercise_03_$2.cpp" >"$1/$2/exercise_03_tanh.cpp"
}
sol() { ls "$src"/solutions/exercise_"$1"_*.cpp; }
stub() { ls "$src"/workbook/stubs/exercise_"$1"_*.cpp; }
mistake() { ls "$build"/mistakes/"$1"/exercise_*.cpp; }

# =============================================================================================
if want catalogue || want nosandbox; then
# What each fixture's feedback must say (grep -a -E); every one scores 0 for exercise 03.
declare -A verdict=(
  # (In a sanitizer build UBSan reports the store through a null pointer before the signal.)
  [segfault]='crashed: SIGSEGV|runtime error: store to null pointer'
  [abort]='crashed: SIGABRT'
  [throw]='hostile exception thrown on purpose'
  [loop]='timed out after [0-9]+ s'
  [sleep]='timed out after [0-9]+ s'
  [memory]='out of memory|killed: memory limit'
  [forkbomb]='timed out after [0-9]+ s'
  [daemon]='returned without setting dx'
  [print1g]='killed: printed more than 64 MiB'
  [stdout_forged]='dx: no credit \(wrong\)'
  [fd3_garbage]='runner protocol: line 2: '
  [fd3_forged]='malformed protocol: dx was sent again after end'
  [exit0]='exited with code 0 before it finished'
  [nan]='NaN or Inf'
  [shape]='expected \(8, 16\), got \(8, 17\)'
  [read_solutions]='cannot read the reference solution'
  [exec_reference]='cannot run the reference runner'
  [include_abs]='refused: .*solutions/exercise_03_tanh.cpp.*reaches outside the submission'
  [include_rel]='refused: .*\.\./\.\./solutions/exercise_03_tanh.cpp.*reaches outside the submission'
  [include_macro]='refused: #include of a macro'
  [include_posix]='refused: .*unistd\.h'
  [incbin]='compile error|refused'
  [bigfile]='SIGXFSZ|file size limit'
  [big_object]='compile error: the compiler wrote a file over 256 MiB, the cap on one file'
  # Each writable place is a sized tmpfs (work folder 256 MiB, /tmp 192, /dev/shm 64) or read-only.
  [fill_work]='hostile: wrote ([0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-5][0-9]) MiB to \., then: No space left on device'
  [fill_tmp]='hostile: wrote ([0-9]|[1-9][0-9]|1[0-8][0-9]|19[0-2]) MiB to /tmp, then: No space left on device'
  [fill_shm]='hostile: wrote ([0-9]|[1-5][0-9]|6[0-4]) MiB to /dev/shm, then: No space left on device'
  [write_root]='hostile: wrote 0 MiB to /, then: Read-only file system'
  [write_dev]='hostile: wrote 0 MiB to /dev, then: Read-only file system'
)
# The file of every fixture has a verdict above, and every verdict a file.
for f in "$src"/tests/hostile/exercise_03_*.cpp; do
  w=${f##*/exercise_03_}; w=${w%.cpp}
  [ -n "${verdict[$w]:-}" ] && ok || bad "tests/hostile/${f##*/} has no expected verdict in grade_test.sh"
done
for w in "${!verdict[@]}"; do [ -f "$src/tests/hostile/exercise_03_$w.cpp" ] && ok || bad "no tests/hostile/exercise_03_$w.cpp"; done
# A smaller set when asked for (the fast suite's).
if [ -n "$hostile" ]; then
  for w in $hostile; do [ -n "${verdict[$w]:-}" ] && ok || bad "GRADE_TEST_HOSTILE names $w, which is not in the catalogue"; done
  for w in "${!verdict[@]}"; do [[ " $hostile " == *" $w "* ]] || unset "verdict[$w]"; done
fi
# Only the sandbox keeps these from credit (they read or run the project's files, or fill what
# only the sandbox caps).
sandbox_only=" read_solutions exec_reference incbin fill_work fill_tmp fill_shm write_root write_dev "

catalogue() {  # catalogue NAME [--no-sandbox]
  local name=$1; shift
  local subs="$T/$name/subs" o="$T/$name/out" w t0=$SECONDS
  mkdir -p "$subs"
  for w in "${!verdict[@]}"; do fixture "$subs" "$w"; done
  mkdir -p "$subs/correct" && cp "$(sol 03)" "$subs/correct/exercise_03_tanh.cpp"
  grade "$subs" --out "$o" --seeds 0 --exercises 03 --gradescope "$@" >"$T/$name/log" 2>&1
  local code=$?
  echo "   $name: grading took $((SECONDS - t0))s"
  [ "$code" -eq 0 ] && ok || { bad "$name: exit $code (want 0)"; sed 's/^/    /' "$T/$name/log" | tail -5; }
  grep -a -q "graded $((${#verdict[@]} + 1)) of $((${#verdict[@]} + 1)) submissions" "$T/$name/log" && ok || bad "$name: not every submission graded"
  complete_gradebook "$subs" "$o" "$name"
  expect_cell "$o" correct exercise_03 10.00 "$name: a correct file in the same run"
  no_infra_errors "$o" "$name"
  valid_json "$o" "$name"
  [ "$(ls "$o/gradescope" | wc -l)" -eq $((${#verdict[@]} + 1)) ] && ok || bad "$name: not one gradescope/<student>.json each"
}

fi

if want catalogue; then
section "hostile catalogue, in the sandbox"
catalogue catalogue
o="$T/catalogue/out"
sandbox=$("$py" -c "import json,sys; print(json.load(open(sys.argv[1]))['sandbox'])" "$o/run.json" 2>/dev/null)
echo "   sandbox: $sandbox"
[ "$sandbox" = bubblewrap ] && ok || bad "the grader did not use bubblewrap, which works here (run.json: $sandbox)"
for w in "${!verdict[@]}"; do
  expect_cell "$o" "$w" exercise_03 0.00 "hostile $w"
  fb "$o" "$w" "${verdict[$w]}" "hostile $w"
done
# The statuses behind those verdicts.
status_if() {  # status_if WHAT WANT: the status of a fixture that was graded
  [ -n "${verdict[$1]:-}" ] && expect_status "$o" "$1" exercise_03 dx "$2"
}
status_if include_abs refused
status_if segfault crashed
status_if loop "timed out"
status_if shape "wrong shape"
expect_status "$o" correct exercise_03 dx correct
[ -n "${verdict[stdout_forged]:-}" ] && fb "$o" stdout_forged 'your code printed' "what the code printed is shown"
left=$(leftovers)
[ -z "$left" ] && ok || { bad "processes left behind by the sandboxed run: $(for p in $left; do cat /proc/$p/comm; done | tr '\n' ' ')"; kill_leftovers; }
kill_leftovers
fi

# =============================================================================================
if want nosandbox; then
section "hostile catalogue, --no-sandbox (rlimits only)"
catalogue nosandbox --no-sandbox
n="$T/nosandbox/out"
grep -a -q 'rlimits only' "$n/run.json" && ok || bad "--no-sandbox: run.json does not say rlimits only"
for w in "${!verdict[@]}"; do
  [[ $sandbox_only == *" $w "* ]] && continue
  expect_cell "$n" "$w" exercise_03 0.00 "hostile $w, --no-sandbox"
  fb "$n" "$w" "${verdict[$w]}" "hostile $w, --no-sandbox"
done
# What differs from the sandboxed run (when it ran): reported, not judged.
o="$T/catalogue/out"
[ -d "$o" ] && for w in $(printf '%s\n' "${!verdict[@]}" | sort); do
  a=$(grep -a -m1 -E '^  (dx: |refused|compile error|missing)' "$o/feedback/$w.txt" 2>/dev/null)
  b=$(grep -a -m1 -E '^  (dx: |refused|compile error|missing)' "$n/feedback/$w.txt" 2>/dev/null)
  sa=$(cell "$o" "$w" exercise_03) sb=$(cell "$n" "$w" exercise_03)
  [ "$a|$sa" != "$b|$sb" ] && note "--no-sandbox differs for $w: '${a# }' $sa -> '${b# }' $sb"
done
left=$(leftovers)
[ -n "$left" ] && note "--no-sandbox left processes behind: $(for p in $left; do cat /proc/$p/comm 2>/dev/null; done | tr '\n' ' ')"
kill_leftovers
fi

# =============================================================================================
if want reference; then
section "reference solutions, stubs and file discovery (all exercises, --seeds $seeds, --gradescope)"
s="$T/s1/subs" o="$T/s1/out"
mkdir -p "$s/ref" "$s/stub"
cp "$src"/solutions/exercise_[0-9][0-9]_*.cpp "$s/ref/"
cp "$src"/workbook/stubs/exercise_[0-9][0-9]_*.cpp "$s/stub/"
# Not students: __MACOSX at the top, and loose files. (A folder whose name starts with a dot is a
# student's like any other.)
mkdir -p "$s/__MACOSX/ref" "$s/.hidden"
cp "$(sol 03)" "$s/__MACOSX/ref/"; cp "$(sol 03)" "$s/.hidden/"
echo "notes" >"$s/README.txt"
d() { mkdir -p "$s/$1/$(dirname "$2")"; cp "$3" "$s/$1/$2"; }
d nested "week3/my work/exercise_03_tanh.cpp" "$(sol 03)"
d near_case Exercise_03_Tanh.cpp "$(sol 03)"
d near_txt exercise_03_tanh.cpp.txt "$(sol 03)"
# Archives: the grader unpacks a .zip in a student's folder and a student's own .tar.gz; one that
# is not an archive, one with a link or a device in it, and a .rar are named, not graded.
mkdir -p "$T/packing/in"
cp "$(sol 03)" "$T/packing/in/"
(cd "$T/packing/in" && "$py" -c "import sys, zipfile; zipfile.ZipFile(sys.argv[1], 'w').write('exercise_03_tanh.cpp')" ../work.zip)
d zipped work.zip "$T/packing/work.zip"
tar -czf "$s/packed.tar.gz" -C "$T/packing/in" exercise_03_tanh.cpp
d not_a_zip work.zip "$(sol 03)"
d rar work.rar "$(sol 03)"
"$py" - "$T/packing/in/exercise_03_tanh.cpp" "$s/linked.tar.gz" "$s/device.tar" <<'PY'
import sys, tarfile
with tarfile.open(sys.argv[2], "w:gz") as t:
    t.add(sys.argv[1], "exercise_03_tanh.cpp")
    link = tarfile.TarInfo("solutions"); link.type = tarfile.SYMTYPE; link.linkname = "/etc"
    t.addfile(link)
with tarfile.open(sys.argv[3], "w") as t:
    t.add(sys.argv[1], "exercise_03_tanh.cpp")
    dev = tarfile.TarInfo("null"); dev.type = tarfile.CHRTYPE; dev.devmajor, dev.devminor = 1, 3
    t.addfile(dev)
PY
d macosx exercise_03_tanh.cpp "$(sol 03)"
d macosx __MACOSX/exercise_03_tanh.cpp "$(stub 03)"
d macosx ._exercise_03_tanh.cpp "$(stub 03)"
d macosx __MACOSX/._exercise_03_tanh.cpp "$(stub 03)"
d macosx_only __MACOSX/exercise_03_tanh.cpp "$(sol 03)"
d macosx_only ._exercise_03_tanh.cpp "$(sol 03)"
d copy_beside exercise_03_tanh.cpp "$(sol 03)"
d copy_beside "exercise_03_tanh (1).cpp" "$(stub 03)"
d copy_only "exercise_03_tanh (1).cpp" "$(sol 03)"
d copy_dash "sub/exercise_03-2.cpp" "$(sol 03)"
d two_copies "exercise_03_tanh (1).cpp" "$(sol 03)"
d two_copies "exercise_03-2.cpp" "$(sol 03)"
d ambiguous a/exercise_03_tanh.cpp "$(sol 03)"
d ambiguous b/exercise_03_tanh.cpp "$(sol 03)"
d ambiguous_names exercise_03_tanh.cpp "$(sol 03)"
d ambiguous_names exercise_03.cpp "$(sol 03)"
d missing notes.txt "$src/tests/hostile/README.md"
d missing exercise_03_tanh.cpp.txt "$(sol 03)"
d short exercise_03.cpp "$(sol 03)"
d link_inside impl/tanh_impl.cpp "$(sol 03)"
ln -s impl/tanh_impl.cpp "$s/link_inside/exercise_03_tanh.cpp"
mkdir -p "$s/link_outside" "$s/link_dir_outside" "$T/s1/elsewhere"
ln -s ../ref/exercise_03_tanh.cpp "$s/link_outside/exercise_03_tanh.cpp"
cp "$(sol 03)" "$T/s1/elsewhere/"
ln -s "$T/s1/elsewhere" "$s/link_dir_outside/work"
t0=$SECONDS
expect_code 0 grade "$s" --out "$o" --seeds "$seeds" --gradescope
echo "   grading took $((SECONDS - t0))s"
# Copies of one file are built once (their verdicts, checked below, stay each student's own).
has "identical files were built once: [0-9]+ build\(s\), reused [0-9]+ time" "a build reused for identical files"
complete_gradebook "$s" "$o" "reference, stubs and discovery"
valid_json "$o" "reference, stubs and discovery"
"$py" - "$o" "$seeds" "$src" <<'PY' && ok || bad "full marks for the reference, none for the stubs, run.json"
import csv, json, os, sys
out = sys.argv[1]
run = json.load(open(out + "/run.json"))
assert run["format"] == "bpdojo.grade/1"
seeds = run["seeds"]
hidden = int(sys.argv[2])
assert len(seeds) == hidden + 1 and seeds[0] == 0 and len(set(seeds)) == hidden + 1, seeds
exercises = sorted(f[:11] for f in os.listdir(sys.argv[3] + "/workbook/stubs") if f.endswith(".cpp"))
total = 10 * len(exercises)
assert run["exercises"] == exercises
for ex in exercises:
    assert [i["seed"] for i in run["instances"][ex]] == seeds, ex
    assert run["weights"][ex]["points"] == 10
e3 = run["instances"]["exercise_03"]
assert e3[0]["sizes"] == {"N": 8, "H": 16}, e3[0]
for i in e3[1:]:
    assert 4 <= i["sizes"]["N"] <= 16 and 8 <= i["sizes"]["H"] <= 32, i
w8 = run["weights"]["exercise_08"]["gradients"]
assert w8["training"] == sum(v for k, v in w8.items() if k != "training") == 21, w8
rows = {r["student"]: r for r in csv.DictReader(open(out + "/gradebook.csv", newline="", encoding="utf-8", errors="replace"))}
assert list(rows["ref"].keys()) == ["student"] + exercises + ["total"]
assert all(rows["ref"][ex] == "10.00" for ex in exercises) and rows["ref"]["total"] == "%.2f" % total, rows["ref"]
assert all(rows["stub"][ex] == "0.00" for ex in exercises) and rows["stub"]["total"] == "0.00", rows["stub"]
lines = [json.loads(l) for l in open(out + "/results.jsonl", encoding="utf-8", errors="replace")]
ref = [l for l in lines if l["student"] == "ref"]
stub = [l for l in lines if l["student"] == "stub"]
assert len(ref) == len(stub) >= 90 and {l["exercise"] for l in ref} == set(exercises)
for l in ref:
    assert l["credit"] == 1 and l["status"] == "correct", l
    assert len(l["instances"]) == hidden + 1 and l["instances"][0]["verdict"] == "correct", l
    # exercise 11's experiment and exercise 13's, 15's and 16's training run on the first instance only: their
    # rows are not asked on the others
    later = {i["verdict"] for i in l["instances"][1:]}
    first_only = l["gradient"].startswith("experiment.") or (l["exercise"], l["gradient"]) in {("exercise_13", "training"), ("exercise_15", "training"), ("exercise_16", "training")}
    assert later <= ({"not asked"} if first_only else {"correct"}), l
    assert abs(l["points"] - l["max_points"]) < 1e-12
for l in stub:
    assert l["credit"] == 0 and l["points"] == 0 and l["status"] != "correct", l
for ex in exercises:
    assert abs(sum(l["max_points"] for l in ref if l["exercise"] == ex) - 10) < 1e-9, ex
assert abs(sum(l["points"] for l in ref) - total) < 1e-9
PY
# The class summary: every count it draws is results.jsonl's, counted again (tests/summary_check.py);
# --summary-only rebuilds the same files from results.jsonl alone; a real browser draws the page
# (Debian's chromium, headless: a screenshot that shows the charts' colours).
"$py" "$src/tests/summary_check.py" "$o" && ok || bad "the class summary against results.jsonl"
has "class summary: .*summary\.html" "the run names the class summary"
cp "$o/summary.html" "$T/s1/summary.html"; cp "$o/summary.md" "$T/s1/summary.md"
rm "$o/summary.html" "$o/summary.md"
expect_code 0 "$checker" grade --summary-only "$o"
cmp -s "$o/summary.html" "$T/s1/summary.html" && cmp -s "$o/summary.md" "$T/s1/summary.md" && ok ||
  bad "--summary-only rebuilds the summary as the run wrote it"
expect_code 2 "$checker" grade --summary-only "$T/s1/nothing_here"
has "cannot read .*results\.jsonl" "--summary-only on a folder without results"
if command -v chromium >/dev/null 2>&1; then
  # --no-sandbox: root (CI) cannot run chromium's own sandbox; the page is this run's, no script.
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$T/chromium" \
    --window-size=1000,2400 --screenshot="$T/s1/summary.png" "file://$o/summary.html" >"$T/s1/chromium.log" 2>&1
  "$py" "$src/tests/summary_check.py" "$o" "$T/s1/summary.png" && ok ||
    { bad "chromium's rendering of summary.html"; tail -5 "$T/s1/chromium.log"; }
elif [ "${CI:-}" = true ]; then
  bad "chromium is not installed (the class summary in a real browser; CI=true)"
else
  note "the class summary was not rendered: chromium is not installed"
fi
full=$(ls "$src"/workbook/stubs/exercise_[0-9][0-9]_*.cpp | wc -l)0\.00
fb "$o" ref "^total $full / $full" "reference total"
fb "$o" stub "^total 0\.00 / $full" "stub total"
fb "$o" stub 'not implemented' "stub verdict"
# Discovery.
for st in nested macosx copy_beside copy_only copy_dash short link_inside; do
  expect_cell "$o" "$st" exercise_03 10.00 "discovery: $st is graded"
done
fb "$o" nested 'file: week3/my work/exercise_03_tanh\.cpp' "a file in nested folders"
# Near misses are named in the reason: another case, an extension added, an archive.
for st in near_case near_txt rar; do expect_cell "$o" "$st" exercise_03 0.00 "near miss: $st"; done
fb "$o" near_case 'missing: no file named exercise_03_tanh\.cpp or exercise_03\.cpp; found Exercise_03_Tanh\.cpp, not graded under that name: rename it exercise_03_tanh\.cpp' "a name in another case"
fb "$o" near_txt 'found exercise_03_tanh\.cpp\.txt, not graded' "an extension added"
fb "$o" rar 'found the archive work\.rar, which the checker does not unpack' "an archive it does not read"
# Archives the grader unpacks.
expect_cell "$o" zipped exercise_03 10.00 "a .zip in the student's folder is unpacked and graded"
fb "$o" zipped 'file: work\.zip/exercise_03_tanh\.cpp' "the feedback names the file inside the archive"
expect_cell "$o" packed exercise_03 10.00 "a student's own .tar.gz is a student, graded"
fb "$o" packed 'file: packed\.tar\.gz/exercise_03_tanh\.cpp' "the feedback names the student's archive"
for st in not_a_zip linked device; do expect_cell "$o" "$st" exercise_03 0.00 "an archive refused: $st"; done
fb "$o" not_a_zip 'refused: the archive work\.zip was not unpacked: it cannot be read as an archive' "not an archive"
fb "$o" linked 'refused: the archive linked\.tar\.gz was not unpacked: it holds a symbolic link: solutions -> /etc' "a link in an archive"
fb "$o" device 'refused: the archive device\.tar was not unpacked: it holds a character device: null' "a device in an archive"
expect_cell "$o" .hidden exercise_03 10.00 "a folder named with a leading dot is graded"
fb "$o" macosx 'file: exercise_03_tanh\.cpp' "__MACOSX and ._ files ignored"
fb_not "$o" macosx 'ambiguous|note:' "__MACOSX and ._ files ignored"
expect_cell "$o" macosx_only exercise_03 0.00 "only __MACOSX and ._ files"
fb "$o" macosx_only 'missing: no file named exercise_03_tanh\.cpp or exercise_03\.cpp' "only __MACOSX and ._ files: missing"
fb "$o" copy_beside 'ignored the copies exercise_03_tanh \(1\)\.cpp beside it' "a copy beside the file is noted"
fb "$o" copy_only 'graded exercise_03_tanh \(1\)\.cpp \(no file named exercise_03_tanh\.cpp' "a lone copy is graded, with a note"
fb "$o" copy_dash 'graded sub/exercise_03-2\.cpp' "a lone -2 copy is graded"
fb "$o" short 'file: exercise_03\.cpp' "the short name"
for st in two_copies ambiguous ambiguous_names; do
  expect_cell "$o" "$st" exercise_03 0.00 "discovery: $st"
  expect_status "$o" "$st" exercise_03 dx ambiguous
done
fb "$o" ambiguous 'ambiguous: .*a/exercise_03_tanh\.cpp, b/exercise_03_tanh\.cpp' "ambiguous names the files"
fb "$o" ambiguous_names 'ambiguous: .*exercise_03\.cpp.*exercise_03_tanh\.cpp' "two exact names are ambiguous"
fb "$o" two_copies 'ambiguous: .*2 copies' "two copies are ambiguous"
expect_cell "$o" missing exercise_03 0.00 "missing"
expect_status "$o" missing exercise_03 dx missing
fb "$o" missing 'missing: no file named exercise_03_tanh\.cpp or exercise_03\.cpp' "missing reason"
fb_not "$o" missing 'missing: missing:' "the status said once"
fb_not "$o" ambiguous 'ambiguous: ambiguous:' "the status said once"
expect_cell "$o" link_outside exercise_03 0.00 "a link outside the submission"
expect_status "$o" link_outside exercise_03 dx refused
fb "$o" link_outside 'link to a file outside the submission' "a link outside is refused"
expect_cell "$o" link_dir_outside exercise_03 0.00 "a folder link outside the submission"
expect_status "$o" link_dir_outside exercise_03 dx refused
# --gradescope with several submissions: one file each, no results.json.
for st in ref stub nested missing; do [ -s "$o/gradescope/$st.json" ] && ok || bad "no gradescope/$st.json"; done
[ ! -e "$o/results.json" ] && ok || bad "results.json written for a run of several submissions"
fi

# =============================================================================================
if want resume; then
section "--resume after SIGKILL and after SIGINT gives what an uninterrupted run gives"
s="$T/res/subs" a="$T/res/killed" b="$T/res/whole"
mkdir -p "$s"/{alice,bob,carol,"doe, jane",eve,frank}
cp "$(sol 02)" "$(sol 03)" "$s/alice/"
cp "$(mistake linear_dW_transposed)" "$(mistake tanh_one_minus_h)" "$s/bob/"
cp "$(stub 02)" "$s/carol/"; fixture "$s" segfault; mv "$s/segfault/exercise_03_tanh.cpp" "$s/carol/"; rmdir "$s/segfault"
cp "$(sol 03)" "$s/doe, jane/"
cp "$(sol 02)" "$s/eve/"; fixture "$s" throw; mv "$s/throw/exercise_03_tanh.cpp" "$s/eve/"; rmdir "$s/throw"
cp "$(stub 02)" "$(stub 03)" "$s/frank/"
rows_of() { [ -f "$1" ] && echo $(($(wc -l <"$1") - 1)) || echo 0; }
# wait_rows FILE N PID [SCRATCH_VAR]: until FILE has more than N rows below its header (or PID is
# gone). With SCRATCH_VAR, meanwhile looks for PID's scratch folder (scratch_of) and sets it there.
wait_rows() {
  local i found
  for i in $(seq 1 3000); do
    [ "$(rows_of "$1")" -gt "$2" ] && return 0
    kill -0 "$3" 2>/dev/null || return 1
    if [ -n "${4:-}" ] && [ -z "${!4}" ]; then found=$(scratch_of "$3") && printf -v "$4" '%s' "$found"; fi
    sleep 0.05
  done
  return 1
}
# The scratch folder of the grader PID, from the working folder of a process it started (a
# SIGKILLed grader cannot remove it; the test does).
scratch_of() {
  local c
  for c in /proc/[0-9]*; do
    [ "$(sed 's/.*) //' "$c/stat" 2>/dev/null | cut -d' ' -f2)" = "$1" ] || continue
    readlink "$c/cwd" 2>/dev/null | grep -aoE '^/tmp/bpdojo-grade-[A-Za-z0-9]{6}' && return 0
  done
  return 1
}
t0=$SECONDS
# SIGKILL after the first row. (The checker itself in the background, not the grade function:
# $! must be its pid.)
"$checker" --build-dir "$build" grade "$s" --out "$a" --exercises 02,03 --seeds "$((seeds > 0 ? 1 : 0))" >"$T/res/killed.log" 2>&1 &
bg_pid=$!
# Its scratch folder is looked for while the first row is awaited, so that the kill follows the row
# at once (grading a student takes well under a second).
scratch=""
if wait_rows "$a/gradebook.csv" 0 "$bg_pid" scratch; then
  kill -KILL "$bg_pid"; wait "$bg_pid" 2>/dev/null; bg_pid=""
  if [ -n "$scratch" ] && [ -d "$scratch" ]; then rm -rf "$scratch"; else note "the SIGKILLed grader's scratch folder (/tmp/bpdojo-grade-*) was not found: left in place"; fi
  killed=$(rows_of "$a/gradebook.csv")
  [ "$killed" -ge 1 ] && [ "$killed" -lt 5 ] && ok || bad "SIGKILL came too late to test --resume ($killed rows)"
  sleep 0.5
  # --resume, interrupted with SIGINT after its first row: exit 130, and what is written is whole.
  "$checker" --build-dir "$build" grade "$s" --out "$a" --resume >"$T/res/int.log" 2>&1 &
  bg_pid=$!
  if wait_rows "$a/gradebook.csv" "$killed" "$bg_pid"; then
    kill -INT "$bg_pid"; wait "$bg_pid"; code=$?; bg_pid=""
    [ "$code" -eq 130 ] && ok || { bad "SIGINT: exit $code (want 130)"; tail -3 "$T/res/int.log"; }
    grep -a -q 'rerun with --resume' "$T/res/int.log" && ok || bad "SIGINT: no word about --resume"
    "$py" - "$a" <<'PY' && ok || bad "SIGINT left a partial row"
import csv, json, os, sys
out = sys.argv[1]
rows = list(csv.reader(open(out + "/gradebook.csv", newline="", encoding="utf-8", errors="replace")))
assert rows[0] == ["student", "exercise_02", "exercise_03", "total"], rows[0]
students = set()
for r in rows[1:]:
    assert len(r) == 4 and abs(float(r[1]) + float(r[2]) - float(r[3])) < 0.02, r
    students.add(r[0])
assert len(students) == len(rows) - 1 and 2 <= len(students) <= 6, students
lines = [json.loads(l) for l in open(out + "/results.jsonl", encoding="utf-8", errors="replace")]
assert {l["student"] for l in lines} == students
for st in students:
    assert [(l["exercise"], l["gradient"]) for l in lines if l["student"] == st] == [
        ("exercise_02", "dx"), ("exercise_02", "dW"), ("exercise_02", "db"), ("exercise_03", "dx")], st
    assert os.path.isfile(out + "/feedback/" + st + ".txt")
PY
  else
    bad "SIGINT: no new row appeared before the --resume run ended"; kill -KILL "$bg_pid" 2>/dev/null; bg_pid=""
  fi
  before=$(rows_of "$a/gradebook.csv")
  [ "$before" -lt 6 ] || note "the run interrupted with SIGINT had finished every submission"
  expect_code 0 grade "$s" --out "$a" --resume
  has "graded $((6 - before)) of $((6 - before)) submissions \($before before\)" "--resume grades only the rest"
  # The same seeds without interruption: a fresh --out with the run's record and no rows.
  mkdir -p "$b"
  cp "$a/run.json" "$a/weights.txt" "$b/"
  head -n 1 "$a/gradebook.csv" >"$b/gradebook.csv"
  : >"$b/results.jsonl"
  expect_code 0 grade "$s" --out "$b" --resume
  has "graded 6 of 6 submissions \(0 before\)" "the uninterrupted run"
  cmp -s "$a/gradebook.csv" "$b/gradebook.csv" && ok || { bad "gradebook.csv after --resume differs from an uninterrupted run"; diff "$a/gradebook.csv" "$b/gradebook.csv" | head; }
  cmp -s "$a/results.jsonl" "$b/results.jsonl" && ok || { bad "results.jsonl after --resume differs from an uninterrupted run"; diff "$a/results.jsonl" "$b/results.jsonl" | head -c 2000; }
  # Feedback too, but for the run times it quotes ("(0.12 s)").
  for st in alice bob carol "doe, jane" eve frank; do
    cmp -s <(sed -E 's/\([0-9.]+ s\)/(TIME)/g' "$a/feedback/$st.txt") <(sed -E 's/\([0-9.]+ s\)/(TIME)/g' "$b/feedback/$st.txt") &&
      ok || bad "feedback/$st.txt after --resume differs"
  done
  complete_gradebook "$s" "$a" "--resume"
  # What a kill before a student's state file was written leaves: frank's lines, the last one
  # cut short, no row and no state/ file. --resume grades frank again, and drops the remains.
  h="$T/res/half"
  mkdir -p "$h"
  cp "$b/run.json" "$b/weights.txt" "$h/"
  cp -r "$b/state" "$h/" && rm "$h/state/$("$py" -c 'print(b"frank".hex())').txt" && ok || bad "no state/ file of frank"
  grep -a -v '^frank,' "$b/gradebook.csv" >"$h/gradebook.csv"
  grep -a -v '^{"student":"frank"' "$b/results.jsonl" >"$h/results.jsonl"
  grep -a -m1 '^{"student":"frank"' "$b/results.jsonl" >>"$h/results.jsonl"
  grep -a -m2 '^{"student":"frank"' "$b/results.jsonl" | tail -n 1 | head -c 100 >>"$h/results.jsonl"
  expect_code 0 grade "$s" --out "$h" --resume
  has "graded 1 of 1 submissions \(5 before\)" "--resume after a half-written student"
  cmp -s "$h/gradebook.csv" "$b/gradebook.csv" && ok || { bad "gradebook.csv after resuming a half-written student"; diff "$h/gradebook.csv" "$b/gradebook.csv" | head; }
  cmp -s "$h/results.jsonl" "$b/results.jsonl" && ok || { bad "results.jsonl after resuming a half-written student"; diff "$h/results.jsonl" "$b/results.jsonl" | head -c 1500; }
else
  bad "no gradebook row appeared before the run ended"; kill -KILL "$bg_pid" 2>/dev/null; bg_pid=""
fi
expect_cell "$a" alice total 20.00 "resume: alice"
expect_cell "$a" bob exercise_02 6.67 "resume: bob, dW wrong"
expect_cell "$a" bob exercise_03 0.00 "resume: bob"
expect_cell "$a" "doe, jane" total 10.00 "a student id with a comma"
expect_cell "$a" "doe, jane" exercise_02 0.00 "resume: doe, jane has no exercise 02"
grep -a -q '^"doe, jane",' "$a/gradebook.csv" && ok || bad "a student id with a comma is not quoted in gradebook.csv"
expect_cell "$a" eve total 10.00 "resume: eve"
echo "   resume and SIGINT took $((SECONDS - t0))s"
fi

# =============================================================================================
if want exitcodes; then
section "exit codes, --regrade"
expect_code 2 grade "$T/no such folder" --out "$T/x1"
one_line "missing submissions folder"
[ ! -e "$T/x1" ] && ok || bad "a failed start created --out"
before=$(snapshot "$a")
expect_code 2 grade "$s" --out "$a"
has "--resume" "the error names --resume"; one_line "--out holds a run"
[ "$(snapshot "$a")" = "$before" ] && ok || bad "a refused run changed --out"
expect_code 2 grade "$s" --out "$T/x2" --resume; has "no grading run" "--resume without a run"
expect_code 2 grade "$s" --out "$T/x3" --exercises 99
i=0
for line in 'exercise_99 = 3' 'exercise_03.dz = 1' 'exercise_03 10' 'exercise_03 = ten' 'exercise_03 = -1' 'exercise_03 = 5 points'; do
  i=$((i + 1))
  printf '# weights\nexercise_02 = 10\n%s\n' "$line" >"$T/bad_weights$i.txt"
  expect_code 2 grade "$s" --out "$T/w$i" --weights "$T/bad_weights$i.txt"
  one_line "weights line '$line'"; has "bad_weights$i.txt:3" "the error names the file and line ('$line')"
  [ ! -e "$T/w$i" ] && ok || bad "a bad weights file created --out"
done
expect_code 2 grade "$s" --out "$T/w0" --weights "$T/no-such-weights.txt"
expect_code 2 grade "$s" --out "$a" --regrade nobody
has "no submission named 'nobody'" "--regrade of an unknown student"
[ "$(snapshot "$a")" = "$before" ] && ok || bad "--regrade of an unknown student changed --out"
# --regrade bob after his exercise 03 was fixed: only his row and lines change.
cp "$(sol 03)" "$s/bob/exercise_03_tanh.cpp"
cp "$a/gradebook.csv" "$T/res/gb.before"; cp "$a/results.jsonl" "$T/res/jl.before"; cp "$a/feedback/alice.txt" "$T/res/fb.before"
expect_code 0 grade "$s" --out "$a" --regrade bob
has "graded 1 of 1 submissions" "--regrade grades one"
expect_cell "$a" bob exercise_03 10.00 "--regrade picked up the fix"
expect_cell "$a" bob exercise_02 6.67 "--regrade: bob's other exercise"
diff <(grep -a -v '^bob,' "$T/res/gb.before") <(grep -a -v '^bob,' "$a/gradebook.csv") >/dev/null && ok || bad "--regrade changed other rows of gradebook.csv"
diff <(grep -a -v '^{"student":"bob"' "$T/res/jl.before") <(grep -a -v '^{"student":"bob"' "$a/results.jsonl") >/dev/null && ok || bad "--regrade changed other students' results"
[ "$(grep -a -c '^{"student":"bob"' "$a/results.jsonl")" -eq 4 ] && ok || bad "--regrade: bob does not have exactly his 4 result lines"
[ "$(wc -l <"$a/gradebook.csv")" -eq 7 ] && ok || bad "--regrade: the gradebook does not have 6 rows"
cmp -s "$T/res/fb.before" "$a/feedback/alice.txt" && ok || bad "--regrade changed another student's feedback"
grep -a -q '^{"student":"bob","exercise":"exercise_03","gradient":"dx","status":"correct"' "$a/results.jsonl" && ok || bad "--regrade: bob's new result line"
# The same exercise named twice in --exercises is graded once (or refused), not counted twice.
mkdir -p "$T/dup/subs/one"; cp "$(sol 03)" "$T/dup/subs/one/"
grade "$T/dup/subs" --out "$T/dup/out" --exercises 03,3 --seeds 0 >"$T/cmd.out" 2>&1
code=$?
if [ "$code" -eq 2 ] || [ "$(head -n 1 "$T/dup/out/gradebook.csv" 2>/dev/null)" = "student,exercise_03,total" ]; then ok; else
  bad "--exercises 03,3: exit $code, gradebook $(head -n 2 "$T/dup/out/gradebook.csv" 2>/dev/null | tr '\n' ' ')"
fi
fi

# =============================================================================================
if want gradescope; then
section "--gradescope with one submission, --weights"
s="$T/gs/subs" o="$T/gs/out"
mkdir -p "$s/solo"
cp "$(mistake linear_dW_transposed)" "$(sol 03)" "$s/solo/"
cat >"$T/gs/weights.txt" <<'EOF'
# exercise 03 counts double; in exercise 02 dx counts twice as much as db, and dW not at all
exercise_03 = 20

exercise_02.dW = 0   # not graded this year
exercise_02.dx = 2
EOF
gs_args=(--build-dir "$build" grade "$s" --out "$o" --exercises 02,03 --seeds 1 --weights "$T/gs/weights.txt" --gradescope)
# (The progress line a terminal shows is tests/terminal_test.sh's.)
expect_code 0 "$checker" "${gs_args[@]}"
expect_cell "$o" solo exercise_03 20.00 "exercise_03 = 20 doubles the column"
expect_cell "$o" solo exercise_02 10.00 "a wrong gradient of weight 0 costs nothing"
expect_cell "$o" solo total 30.00 "weighted total"
fb "$o" solo 'exercise_03 \(tanh\): 20\.00 / 20\.00' "weighted feedback"
grep -a -qx 'exercise_03 = 20' "$o/weights.txt" && ok || bad "weights.txt does not record exercise_03 = 20"
"$py" - "$o" <<'PY' && ok || bad "weights in run.json and results.jsonl"
import json, sys
out = sys.argv[1]
run = json.load(open(out + "/run.json"))
assert run["weights"]["exercise_03"] == {"points": 20, "gradients": {"dx": 1}}, run["weights"]
assert run["weights"]["exercise_02"] == {"points": 10, "gradients": {"dx": 2, "dW": 0, "db": 1}}, run["weights"]
r = {(l["exercise"], l["gradient"]): l for l in map(json.loads, open(out + "/results.jsonl", encoding="utf-8", errors="replace"))}
assert r[("exercise_02", "dW")]["credit"] == 0 and r[("exercise_02", "dW")]["max_points"] == 0
assert abs(r[("exercise_02", "dx")]["points"] - 20 / 3) < 1e-9 and r[("exercise_02", "dx")]["weight"] == 2
assert abs(r[("exercise_02", "db")]["points"] - 10 / 3) < 1e-9
assert r[("exercise_03", "dx")]["points"] == 20
PY
"$py" - "$o/results.json" <<'PY' && ok || bad "Gradescope results.json"
import json, sys
d = json.load(open(sys.argv[1]))
num = (int, float)
assert isinstance(d["score"], num) and not isinstance(d["score"], bool)
assert isinstance(d["tests"], list) and len(d["tests"]) == 4, d["tests"]
for t in d["tests"]:
    assert isinstance(t["name"], str) and isinstance(t["output"], str) and isinstance(t["visibility"], str), t
    assert isinstance(t["score"], num) and isinstance(t["max_score"], num), t
    assert t["status"] in ("passed", "failed"), t
assert abs(sum(t["score"] for t in d["tests"]) - d["score"]) < 1e-9
assert abs(d["score"] - 30) < 1e-9
# Each test's score as printed (2 decimals), and they sum to the score exactly.
for t in d["tests"]:
    assert t["score"] == round(t["score"], 2) and t["max_score"] == round(t["max_score"], 2), t
assert sum(round(t["score"] * 100) for t in d["tests"]) == round(d["score"] * 100), d["score"]
assert isinstance(d["execution_time"], int) and d["execution_time"] >= 0, d.get("execution_time")
names = {t["name"]: t for t in d["tests"]}
assert names["exercise_03 tanh: dx"]["status"] == "passed" and names["exercise_03 tanh: dx"]["max_score"] == 20, names
dW = [t for n, t in names.items() if n.startswith("exercise_02 ") and n.endswith(": dW")]
assert len(dW) == 1 and dW[0]["status"] == "failed" and dW[0]["max_score"] == 0, names
PY
valid_json "$o" "--gradescope, one submission"
cmp -s "$o/results.json" "$o/gradescope/solo.json" && ok || bad "results.json is not the one submission's gradescope/solo.json"
fi

# =============================================================================================
if want pack; then
section "a checker pack archive grades as its manifest says"
# A scratch workbook whose exercises/ holds a mix (complete, partly wrong, stubs). Instead of
# building it (minutes), its build folder holds the runners the main build made from the same
# files, with the records that say so (tests/adopt_runner.py), so `checker pack` judges them
# without rebuilding.
pw="$T/pack/workbook"
mkdir -p "$pw/exercises" "$pw/build/exercises"
ln -s "$src/workbook" "$pw/workbook"
: >"$pw/build/CMakeCache.txt"
put() {  # put NN FILE RUNNER
  cp "$2" "$pw/exercises/$(basename "$(sol "$1")")"
  "$py" "$src/tests/adopt_runner.py" "$pw" "$1" "$3"
}
put 01 "$(mistake chain_c_forgot_second_path)" "$build/mistakes/chain_c_forgot_second_path/exercise_01"
put 02 "$(mistake linear_dW_transposed)" "$build/mistakes/linear_dW_transposed/exercise_02"
put 03 "$(sol 03)" "$build/solutions/exercise_03"
put 04 "$(stub 04)" "$build/stubs/exercise_04"
put 05 "$(mistake bn_dbngain_not_summed)" "$build/mistakes/bn_dbngain_not_summed/exercise_05"
put 06 "$(sol 06)" "$build/solutions/exercise_06"
put 07 "$(mistake mlp_fused_db2_first_row)" "$build/mistakes/mlp_fused_db2_first_row/exercise_07"
put 08 "$(stub 08)" "$build/stubs/exercise_08"
# Every later exercise: its stub.
later=""
for f in "$src"/workbook/stubs/exercise_[0-9][0-9]_*.cpp; do
  nn=${f##*/exercise_}; nn=${nn%%_*}
  [ "$nn" -gt 8 ] && put "$nn" "$f" "$build/stubs/exercise_$nn" && later="$later, exercise_$nn"
done
touch -t 200101010000 "$pw"/exercises/*.cpp
t0=$SECONDS
# (Exit 1: the archive is written, and some of the mix is unfinished.)
(cd "$pw/exercises" && "$checker" --build-dir "$pw/build" pack -o "$T/pack/sub.tar.gz") >"$T/cmd.out" 2>&1
[ $? -eq 1 ] && ok || { bad "checker pack of an unfinished mix: exit code (want 1)"; out | tail -5; }
has "unfinished: exercise_01, exercise_02, exercise_04, exercise_05, exercise_07, exercise_08$later" "pack names the unfinished exercises"
echo "   checker pack took $((SECONDS - t0))s"
mkdir -p "$T/pack/subs" "$T/pack/unpacked"
tar -xzf "$T/pack/sub.tar.gz" -C "$T/pack/unpacked" --no-same-owner && ok || bad "extracting the archive"
[ -f "$T/pack/unpacked/manifest.json" ] && ok || bad "no manifest.json in the archive"
for f in "$pw"/exercises/*.cpp; do cmp -s "$f" "$T/pack/unpacked/${f##*/}" && ok || bad "the archive's ${f##*/} differs"; done
# The archive as the student hands it in: the grader unpacks it.
cp "$T/pack/sub.tar.gz" "$T/pack/subs/packer.tar.gz"
t0=$SECONDS
expect_code 0 grade "$T/pack/subs" --out "$T/pack/out" --seeds 0
echo "   grading the archive took $((SECONDS - t0))s"
"$py" - "$T/pack/unpacked/manifest.json" "$T/pack/out/results.jsonl" <<'PY' && ok || bad "the grade of a packed archive disagrees with its manifest"
import json, sys
manifest = json.load(open(sys.argv[1]))
results = {(l["exercise"], l["gradient"]): l for l in map(json.loads, open(sys.argv[2], encoding="utf-8", errors="replace"))}
seen, correct, wrong = set(), 0, 0
for e in manifest["exercises"]:
    for g in e["gradients"]:
        key = (e["exercise"], g["name"])
        seen.add(key)
        r = results[key]
        assert (g["verdict"] == "correct") == (r["credit"] == 1), (key, g, r["status"], r["credit"])
        correct += r["credit"] == 1
        wrong += r["credit"] == 0
    assert e["complete"] == all(results[(e["exercise"], g["name"])]["credit"] == 1 for g in e["gradients"]), e["exercise"]
assert seen == set(results), set(results) ^ seen
assert correct > 10 and wrong > 10, (correct, wrong)  # a mix, not all one way
PY
expect_cell "$T/pack/out" packer exercise_03 10.00 "packed solution"
expect_cell "$T/pack/out" packer exercise_04 0.00 "packed stub"
fi

# =============================================================================================
if want concurrent; then
section "two graders at once: neither touches the other's processes or output folder"
c="$T/conc"
mkdir -p "$c/subsA" "$c/subsB/right"
# A grades an endless loop between two correct students (one job: the loop runs until its
# timeout while B grades); B grades a correct student meanwhile.
mkdir -p "$c/subsA/a_right" "$c/subsA/c_right"
cp "$(sol 03)" "$c/subsA/a_right/"; cp "$(sol 03)" "$c/subsA/c_right/"; cp "$(sol 03)" "$c/subsB/right/"
fixture "$c/subsA" loop; mv "$c/subsA/loop" "$c/subsA/b_loop"
"$checker" --build-dir "$build" grade "$c/subsA" --out "$c/outA" --exercises 03 --seeds 0 --jobs 1 >"$c/A.log" 2>&1 &
bg_pid=$!
for i in $(seq 1 600); do [ -s "$c/outA/gradebook.csv" ] && break; kill -0 "$bg_pid" 2>/dev/null || break; sleep 0.05; done
# A second grader on A's output folder, and a --resume of it, refuse at once.
expect_code 2 grade "$c/subsA" --out "$c/outA" --exercises 03 --seeds 0
has "in use|is grading" "a second grader on the same --out"; one_line "a second grader on the same --out"
expect_code 2 grade "$c/subsA" --out "$c/outA" --resume
has "in use|is grading" "--resume while the run goes on"; one_line "--resume while the run goes on"
t0=$SECONDS
expect_code 0 grade "$c/subsB" --out "$c/outB" --exercises 03 --seeds 0
echo "   the second grader took $((SECONDS - t0))s"
kill -0 "$bg_pid" 2>/dev/null && ok || bad "the first grader ended before the second: no overlap to test"
wait "$bg_pid"; code=$?; bg_pid=""
[ "$code" -eq 0 ] && ok || { bad "the first grader: exit $code (want 0)"; tail -5 "$c/A.log"; }
expect_cell "$c/outB" right exercise_03 10.00 "a correct student graded while another grader runs"
expect_cell "$c/outA" a_right exercise_03 10.00 "a correct student, in the first grader"
expect_cell "$c/outA" c_right exercise_03 10.00 "a correct student after the loop, in the first grader"
fb "$c/outA" b_loop 'timed out after [0-9]+ s' "the loop runs to its timeout while another grader runs"
grep -a -q 'rlimits only' "$c/outA/run.json" "$c/outB/run.json" && bad "a grader fell back to rlimits only" || ok
fi

# =============================================================================================
if want ids; then
section "any student id survives every output; --no-sandbox is recorded; --resume of another version"
d="$T/ids" s="$T/ids/subs" o="$T/ids/out"
mkdir -p "$s"
# The folder names, and how every output writes them (bytes that are not UTF-8 as \xNN, a
# backslash as \\); the gradebook adds a ' before = + - @.
"$py" - "$s" "$(sol 03)" <<'PY'
import os, shutil, sys
subs, sol = sys.argv[1], sys.argv[2]
for name in [b"new\nline", b"tab\there", b"bad\xff\xfebytes", b".hidden", b"=2+5", b"-minus", b"back\\slash",
             b'quote"comma,', b"caf\xc3\xa9", b"..dots", b"__MACOSX"]:
    d = os.path.join(os.fsencode(subs), name)
    os.mkdir(d)
    shutil.copy(sol, os.path.join(d, b"exercise_03_tanh.cpp"))
PY
expect_code 0 grade "$s" --out "$o" --exercises 03 --seeds 0 --gradescope
has "graded 10 of 10 submissions" "every folder but __MACOSX is graded, whatever its name"
check_ids() {  # check_ids OUT DESC
"$py" - "$s" "$1" <<'PY' && ok || bad "ids in the outputs ($2)"
import csv, io, json, os, sys
subs, out = os.fsencode(sys.argv[1]), sys.argv[2]
def shown(raw):
    r, i = "", 0
    while i < len(raw):
        for n in (4, 3, 2, 1):
            try:
                ch = raw[i:i + n].decode("utf-8")
            except UnicodeDecodeError:
                continue
            if len(ch) == 1:
                r += "\\\\" if ch == "\\" else ch
                i += n
                break
        else:
            r += "\\x%02x" % raw[i]
            i += 1
    return r
raws = sorted(n for n in os.listdir(subs) if n != b"__MACOSX")
want = [shown(n) for n in raws]
text = open(os.path.join(out, "gradebook.csv"), "rb").read().decode("utf-8")  # valid UTF-8
rows = list(csv.reader(io.StringIO(text, newline="")))
got = [r[0] for r in rows[1:]]
cell = lambda w: "'" + w if w[:1] in ("=", "+", "-", "@", "\t", "\r") else w
assert got == [cell(w) for w in want], (got, want)
assert all(r[1] == "10.00" for r in rows[1:]), rows
lines = [json.loads(l) for l in open(os.path.join(out, "results.jsonl"), "rb").read().decode("utf-8").splitlines()]
assert sorted(l["student"] for l in lines) == sorted(want), [l["student"] for l in lines]
assert all(l["credit"] == 1 for l in lines), lines
for w in want:
    fb = open(os.path.join(out, "feedback", w + ".txt"), encoding="utf-8").read()
    assert fb.startswith("Backprop Dojo: grade for " + w + "\n"), fb[:80]
    json.load(open(os.path.join(out, "gradescope", w + ".json"), encoding="utf-8"))
assert len(os.listdir(os.path.join(out, "feedback"))) == len(want)
PY
}
check_ids "$o" "a whole run"
snap=$(snapshot "$o")
expect_code 0 grade "$s" --out "$o" --resume
has "graded 0 of 0 submissions \(10 before\)" "--resume finds every student graded"
check_ids "$o" "after --resume"
expect_code 0 grade "$s" --out "$o" --regrade "$(printf 'new\nline')"
has "graded 1 of 1 submissions \(9 before\)" "--regrade of an id with a newline"
check_ids "$o" "after --regrade"
# A run of another grader version is not continued.
cp -r "$o" "$d/old"
edit "$d/old/run.json" 's/"grader_version":"[^"]*"/"grader_version":"0"/'
expect_code 2 grade "$s" --out "$d/old" --resume
has "another version of the checker" "--resume of another version"; one_line "--resume of another version"
# --no-sandbox is said on stderr, in run.json and in every feedback.
mkdir -p "$d/ns/solo" && cp "$(sol 03)" "$d/ns/solo/"
expect_code 0 grade "$d/ns" --out "$d/nsout" --exercises 03 --seeds 0 --no-sandbox
has "warning: rlimits only" "--no-sandbox on stderr"
"$py" -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['sandboxed'] is False and d['grader_version'] and d['threshold'] == 1e-08, d" \
  "$d/nsout/run.json" && ok || bad "run.json records no sandbox, the version and the threshold"
fb "$d/nsout" solo '^graded without the sandbox' "--no-sandbox in the feedback's header"
fi

# =============================================================================================
if want summary; then
section "the class summary of a class of 20: catalogue mistakes (some shared), stubs, a crash, one absent"
s="$T/sum/subs" o="$T/sum/out"
mkdir -p "$s"
mistake() { echo "$build/mistakes/$1/exercise_06_mlp.cpp"; }
put() { mkdir -p "$s/$1"; cp "$2" "$s/$1/"; }
plan=""  # "student mistake" lines, for the check below
n=0
for m in mlp_dbndiff2_biased_variance mlp_dbndiff2_biased_variance mlp_dbndiff2_biased_variance \
         mlp_dbndiff2_biased_variance mlp_dC_not_accumulated mlp_dC_not_accumulated mlp_dW2_transposed \
         mlp_dbnmeani_not_summed mlp_demb_column_major mlp_dhpreact_one_minus_h mlp_two_wrong_lines mlp_demb_as_embcat; do
  n=$((n + 1)); st=$(printf 'm%02d' "$n")
  put "$st" "$(sol 03)"; put "$st" "$(mistake "$m")"
  plan="$plan$st $m"$'\n'
done
for st in ref1 ref2 ref3; do put "$st" "$(sol 03)"; put "$st" "$(sol 06)"; done
for st in stub1 stub2 stub3; do put "$st" "$(stub 03)"; put "$st" "$(stub 06)"; done
mkdir -p "$s/crash" && cp "$src/tests/learners/exercise_03_segfault.cpp" "$s/crash/exercise_03_tanh.cpp" && put crash "$(sol 06)"
mkdir -p "$s/absent"
[ "$(ls "$s" | wc -l)" -eq 20 ] && ok || bad "the class has 20 students"
expect_code 0 grade "$s" --out "$o" --exercises 03,06 --seeds 1
"$py" "$src/tests/summary_check.py" "$o" && ok || bad "the class summary against results.jsonl"
# What the catalogue says of each mistake (build/mistakes/manifest.txt: the lines it makes wrong
# after `|`; the diagnoses it must get, `@ gradient=kind`): the lines blamed first count exactly the
# students planned with each mistake's first line, and each diagnosis the catalogue requires counts
# at least the students planned with it (a mistake may show the same shape in another gradient).
printf '%s' "$plan" >"$T/sum/plan"
"$py" - "$o" "$T/sum/plan" "$build/mistakes/manifest.txt" <<'PY' && ok || bad "the summary's mistakes and blamed lines are the catalogue's"
import collections, json, re, sys
out, plan_file, manifest = sys.argv[1:4]
plan = dict(l.split() for l in open(plan_file) if l.strip())
spec = {}
for line in open(manifest):
    words = line.split()
    if not words or words[0] not in plan.values():
        continue
    rest = line.split("|", 1)[1] if "|" in line else ""
    lines = re.split(r"[@~]", rest)[0].split()
    diag = dict(kv.split("=") for kv in re.findall(r"\S+=\S+", rest.split("@", 1)[1])) if "@" in rest else {}
    spec[words[0]] = (lines, diag)
order = [json.loads(l)["gradient"] for l in open(out + "/results.jsonl") if '"student":"ref1"' in l and '"exercise_06"' in l]
want_first = collections.Counter()
want_diag = collections.Counter()
for student, m in plan.items():
    lines, diag = spec[m]
    if lines:
        want_first[min(lines, key=order.index)] += 1
    for g, kind in diag.items():
        want_diag[(g, kind)] += 1
md = open(out + "/summary.md", encoding="utf-8").read()
blamed = re.search(r"^- exercise_06: (.*)$", md, re.M).group(1)
got_first = {name: int(c) for name, c in re.findall(r"(\S+) \((\d+)\)", blamed)}
assert got_first == dict(want_first), (got_first, want_first)
rows = {(m.group(2), m.group(3)): int(m.group(4)) for m in re.finditer(r"^\| (exercise_\d\d) \| (\S+) \| (\S+) \| (\d+) \|", md, re.M)}
for key, count in want_diag.items():
    assert rows.get(key, 0) >= count, (key, rows.get(key), count)
assert "- absent\n" in md, "the absent student is listed as not submitted"
print("blamed first:", dict(want_first), "diagnoses:", dict(want_diag))
PY
fi

echo "grade_test: ${SECONDS}s"
echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
