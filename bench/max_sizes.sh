#!/usr/bin/env bash
# The judge at any allowed size: `checker NN --solutions` (run the reference solution, difference
# every gradient, judge) at the default sizes, with each size letter at its maximum (the others at
# their defaults), and with every letter at its maximum at once; wall time of the whole command
# (median of RUNS, default 3; one run where every letter is at its maximum) beside the runner's own
# time (the learner's code computing and sending its gradients, from the checker's --json), the
# floor the judge adds to. Target: every exercise judged within 5 s at its maxima. Exercise 08 runs
# with S=0 (its gradients and update; training is timed by train_steps.sh).
#
# usage: bench/max_sizes.sh [NN ...]   (default: every exercise; needs a built build/)
#   ONLY=all   only every letter at its maximum at once
#   VS=DIR     the same checks, in the same run, by the checker of another checkout DIR (built in
#              DIR/build: `git worktree add DIR REV`, then its cmake --preset default and build),
#              beside ours with the ratio, DIR's wall time over ours
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build=${BPDOJO_BUILD_DIR:-build}
runs=${RUNS:-3}
[ -x "$build/checker" ] || { echo "bench: no $build/checker: cmake --preset default && cmake --build --preset default" >&2; exit 2; }
exercises=("$@")
[ ${#exercises[@]} -gt 0 ] || exercises=($(ls solutions/exercise_*.cpp | sed -E 's|.*exercise_([0-9]+)_.*|\1|'))
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# time_check NN SIZES RUNS [DIR]: prints "<median wall s> <median runner s> <not correct>" of
# `checker NN --solutions` (DIR's checker, run in DIR, when given).
time_check() {
  local nn=$1 sizes=$2 n=$3 dir=${4:-} k
  for ((k = 0; k < n; k++)); do
    local t0 t1
    t0=$(date +%s.%N)
    if [ -n "$dir" ]; then
      (cd "$dir" && build/checker "$nn" --solutions ${sizes:+--size "$sizes"} --json) >"$tmp/out.json" || true
    else
      "$build/checker" "$nn" --solutions ${sizes:+--size "$sizes"} --json >"$tmp/out.json" || true
    fi
    t1=$(date +%s.%N)
    python3 - "$tmp/out.json" "$t0" "$t1" <<'PY' >>"$tmp/times"
import json, sys
r = json.load(open(sys.argv[1]))
print(float(sys.argv[3]) - float(sys.argv[2]), r["runner"]["wall_seconds"], sum(g["verdict"] != "correct" for g in r["gradients"]))
PY
  done
  python3 - "$tmp/times" <<'PY'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1])]
wrong = int(max(r[2] for r in rows))
print(f"{statistics.median(r[0] for r in rows):.3f} {statistics.median(r[1] for r in rows):.3f} {wrong}")
PY
  rm -f "$tmp/times"
}

vs=${VS:-}
if [ -n "$vs" ]; then
  [ -x "$vs/build/checker" ] || { echo "bench: no $vs/build/checker (VS names a built checkout)" >&2; exit 2; }
  printf '%-4s %-28s %10s %10s %10s %7s  %s\n' "ex" "sizes" "wall s" "runner s" "VS wall s" "ratio" "verdicts"
else
  printf '%-4s %-28s %10s %10s  %s\n' "ex" "sizes" "wall s" "runner s" "verdicts"
fi
for nn in "${exercises[@]}"; do
  "$build/checker" "$nn" --solutions --json >"$tmp/default.json" || true  # builds the runner if needed
  [ -z "$vs" ] || (cd "$vs" && build/checker "$nn" --solutions --json) >/dev/null 2>&1 || true
  defaults=$(python3 -c 'import json,sys; print(" ".join(f"{k}={v}" for k, v in json.load(open(sys.argv[1]))["sizes"].items() if k != "S"))' "$tmp/default.json")
  extra=""
  [[ "$(python3 -c 'import json,sys; print("S" in json.load(open(sys.argv[1]))["sizes"])' "$tmp/default.json")" == True ]] && extra="S=0"
  all=()
  cases=("default:${extra}")
  for kv in $defaults; do
    letter=${kv%%=*}
    # The checker names the allowed range of a size it refuses: "... out of range 1..512".
    max=$({ "$build/checker" "$nn" --solutions --size "$letter=2147483647" 2>&1 || true; } | sed -nE 's/.*out of range [0-9]+\.\.([0-9]+).*/\1/p')
    [ -n "$max" ] || { echo "bench: exercise $nn: no range for $letter" >&2; exit 1; }
    cases+=("$letter max:$letter=$max${extra:+,$extra}")
    all+=("$letter=$max")
  done
  if [ ${#all[@]} -gt 1 ]; then
    cases+=("all max:$(IFS=,; echo "${all[*]}")${extra:+,$extra}")
  fi
  for c in "${cases[@]}"; do
    what=${c%%:*} sizes=${c#*:}
    [ "${ONLY:-}" = all ] && [ "$what" != "all max" ] && continue
    n=$runs
    [ "$what" = "all max" ] && n=1
    read -r wall runner wrong < <(time_check "$nn" "$sizes" "$n")
    verdict="all correct"
    [ "$wrong" -eq 0 ] || verdict="$wrong not correct"
    flag=""
    [[ "$what" == *max* ]] && awk -v w="$wall" 'BEGIN { exit !(w > 5) }' && flag="  (over the 5 s target)"
    if [ -n "$vs" ]; then
      read -r vs_wall _ vs_wrong < <(time_check "$nn" "$sizes" "$n" "$vs")
      [ "$vs_wrong" -eq 0 ] || verdict="$verdict; VS: $vs_wrong not correct"
      ratio=$(awk -v a="$vs_wall" -v b="$wall" 'BEGIN { printf "%.1fx", (b > 0 ? a / b : 0) }')
      printf '%-4s %-28s %10s %10s %10s %7s  %s%s\n' "$nn" "$what ${sizes:+($sizes)}" "$wall" "$runner" "$vs_wall" "$ratio" "$verdict" "$flag"
    else
      printf '%-4s %-28s %10s %10s  %s%s\n' "$nn" "$what ${sizes:+($sizes)}" "$wall" "$runner" "$verdict" "$flag"
    fi
  done
done
