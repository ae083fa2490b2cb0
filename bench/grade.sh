#!/usr/bin/env bash
# Grading speed: `checker grade` over N generated submissions against the floor of compiling the
# same exercise files once with plain `g++ -O2 -c`, both two at a time, in the same run.
#   submissions: N students, each with all eight exercise files, in turn
#     correct  the reference solutions,
#     wrong    the reference with exercise 02-07's first gradient line negated, 01 and 08 stubs,
#     hostile  exercise 03 loops for ever, 02 crashes after dx, the others stubs;
#   grading: `checker grade --jobs 2 --seeds 2` (three instances), exercises 01-07; exercise 08
#     (the training run, under its own time budget) is graded in a second run and reported apart;
#   floor:   `g++ -O2 -std=c++17 -c` of the same files (01-07), `xargs -P 2`, same compiler,
#     no precompiled header, objects thrown away.
# Target: grading 01-07 <= 1.5x the floor. Prints both and writes bench/results/grade.json.
#
# usage: bench/grade.sh [N]   (default 6; build first: bash setup.sh)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
build=${BPDOJO_BUILD_DIR:-build}
n=${1:-6}
[ -x "$build/checker" ] || { echo "bench: no $build/checker: bash setup.sh first" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
subs=$tmp/subs
mkdir -p "$subs" bench/results

# The submissions.
for ((k = 0; k < n; k++)); do
  kind=$(( k % 3 ))
  dir=$subs/student$(printf %02d "$k")
  mkdir -p "$dir"
  for f in solutions/exercise_*.cpp; do
    name=$(basename "$f")
    case $kind in
      0) cp "$f" "$dir/$name" ;;
      1) case $name in
           exercise_01_*|exercise_08_*) cp "workbook/stubs/$name" "$dir/$name" ;;
           # The first one-line `grads.dX = ...;` or `dX = ...;` negated: a wrong gradient that compiles.
           *) awk 'done == 0 && /^ *(grads\.)?d[A-Za-z0-9_]* = .*;$/ { sub(/ = /, " = -("); sub(/;$/, ");"); done = 1 } { print }' \
                "$f" > "$dir/$name" ;;
         esac ;;
      2) case $name in
           exercise_02_*) cp tests/learners/exercise_02_crash_after_dx.cpp "$dir/$name" ;;
           exercise_03_*) cp tests/learners/exercise_03_loops.cpp "$dir/$name" ;;
           *) cp "workbook/stubs/$name" "$dir/$name" ;;
         esac ;;
    esac
  done
done

now() { date +%s.%N; }
files=$(find "$subs" -name 'exercise_0[1-7]_*.cpp' | sort)
count=$(echo "$files" | wc -l)

echo "bench: $n submissions, $count exercise files (01-07), 2 jobs"
t0=$(now)
echo "$files" | xargs -P 2 -I{} g++ -O2 -std=c++17 -I workbook/include -isystem /usr/include/eigen3 -c {} -o /dev/null 2>/dev/null || true
t1=$(now)
"$build/checker" grade "$subs" --out "$tmp/grades" --jobs 2 --seeds 2 --exercises 01,02,03,04,05,06,07 --quiet >/dev/null
t2=$(now)
"$build/checker" grade "$subs" --out "$tmp/grades08" --jobs 2 --seeds 2 --exercises 08 --quiet >/dev/null
t3=$(now)
files08=$(find "$subs" -name 'exercise_08_*.cpp' | sort)
t4=$(now)
echo "$files08" | xargs -P 2 -I{} g++ -O2 -std=c++17 -I workbook/include -isystem /usr/include/eigen3 -c {} -o /dev/null 2>/dev/null || true
t5=$(now)

python3 - "$t0" "$t1" "$t2" "$t3" "$t4" "$t5" "$n" "$count" "$tmp/grades/gradebook.csv" <<'EOF'
import json, sys
t = [float(x) for x in sys.argv[1:7]]
n, count, book = int(sys.argv[7]), int(sys.argv[8]), sys.argv[9]
floor, grading, grading08, floor08 = t[1] - t[0], t[2] - t[1], t[3] - t[2], t[5] - t[4]
rows = open(book).read().splitlines()[1:]
print(f"plain g++ -O2 -c, 01-07:      {floor:8.1f} s")
print(f"checker grade, 01-07:         {grading:8.1f} s   ratio {grading / floor:.2f}x (target <= 1.5x)")
print(f"exercise 08: checker grade    {grading08:8.1f} s   (plain g++ -O2 -c of its files: {floor08:.1f} s)")
print(f"gradebook rows: {len(rows)}")
json.dump({"submissions": n, "files_01_07": count, "floor_seconds": floor, "grade_seconds": grading,
           "ratio": grading / floor, "grade_08_seconds": grading08, "floor_08_seconds": floor08},
          open("bench/results/grade.json", "w"), indent=1)
EOF
