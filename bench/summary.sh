#!/usr/bin/env bash
# The class summary of a large class: `checker grade --summary-only` on a results.jsonl of STUDENTS
# generated students (default 200) over every exercise's gradients, three instances per row (the
# default and two hidden), statuses and diagnoses drawn from a fixed seed. Beside it, in the same
# run, a peer that only parses (Python's json module on every line, nothing more) and the floor of
# any reader (`cat` reading the bytes). Target: under a second. Uses hyperfine (Debian's hyperfine) when installed, else the median
# of 5 runs timed by date.
#
# usage: bench/summary.sh [STUDENTS]   (needs a built build/checker)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build=${BPDOJO_BUILD_DIR:-build}
students=${1:-200}
[ -x "$build/checker" ] || { echo "bench: no $build/checker: cmake --preset default && cmake --build --preset learner" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$build/checker" list --json >"$tmp/list.json" 2>/dev/null || true
python3 - "$tmp/list.json" "$students" "$tmp/results.jsonl" <<'PY'
import json, random, sys
exercises = json.load(open(sys.argv[1]))["exercises"]
rng = random.Random(7)
statuses = ["correct"] * 6 + ["wrong", "wrong", "not implemented", "compile error", "crashed", "missing"]
kinds = ["sign", "times_n", "over_n", "transposed", "not_summed", "bessel", "index_accumulation"]
with open(sys.argv[3], "w") as out:
    for s in range(int(sys.argv[2])):
        for e in exercises:
            for g in e["gradients"]:
                st = rng.choice(statuses)
                inst = []
                for k in range(3):
                    diag = None
                    if st == "wrong" and k == 0 and rng.random() < 0.7:
                        kind = rng.choice(kinds)
                        diag = {"kind": kind, "text": "your %s is %s" % (g["name"], kind)}
                    inst.append({"seed": k, "sizes": {"N": 8}, "verdict": st, "rel_error": 0.5 if st == "wrong" else 1e-12,
                                 "message": "", "diagnosis": diag, "line_wrong": st == "wrong" and rng.random() < 0.5,
                                 "runner": "exited normally"})
                row = {"student": "student_%03d" % s, "exercise": e["exercise"], "gradient": g["name"], "status": st,
                       "credit": int(st == "correct"), "weight": 1.0, "points": float(st == "correct"), "max_points": 1.0,
                       "reason": "", "instances": inst}
                out.write(json.dumps(row) + "\n")
PY
rows=$(wc -l <"$tmp/results.jsonl")
bytes=$(wc -c <"$tmp/results.jsonl")
echo "results.jsonl: $students students, $rows rows, $bytes bytes"
summary="$build/checker grade --summary-only $tmp"
floor="cat $tmp/results.jsonl"
peer="python3 -c \"import json,sys; [json.loads(l) for l in open(sys.argv[1])]\" $tmp/results.jsonl"
if command -v hyperfine >/dev/null; then
  hyperfine -N --warmup 1 --runs 10 -n "checker grade --summary-only" "$summary" -n "python3 json.loads of every line (peer)" "$peer" \
    -n "cat (floor)" "$floor" 2>&1 |
    grep -v "^ *$"
else
  median() {  # median CMD: of 5 runs, in seconds
    local k
    for k in 1 2 3 4 5; do
      local t0 t1
      t0=$(date +%s.%N); sh -c "$1" >/dev/null; t1=$(date +%s.%N)
      echo "$t1 - $t0" | bc -l
    done | sort -g | sed -n 3p
  }
  echo "checker grade --summary-only: $(median "$summary") s"
  echo "python3 json.loads of every line (peer): $(median "$peer") s"
  echo "cat (floor): $(median "$floor") s"
fi
