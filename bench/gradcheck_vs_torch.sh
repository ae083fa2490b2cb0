#!/usr/bin/env bash
# Gradient checking against PyTorch's: on exercise 06 (N=32, H=64, seed 0), one thread each,
#   (a) the checker's finite differences (every node's numeric gradient), timed in-process by
#       build/bench/bench_fd (its median over REPEAT runs);
#   (b) torch.autograd.gradcheck (float64, slow mode) on the same network and parameters, read
#       from a --dump (bench/gradcheck_torch.py);
#   (c) the whole `checker exercise_06 --solutions` (26 tensors, both judgements) with hyperfine.
# Target: gradcheck median >= 10x bench_fd's finite-difference time.
# Writes bench/results/gradcheck_vs_torch.json.
#
# usage: bench/gradcheck_vs_torch.sh [REPEAT]   (default 5; build first: cmake --build build)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build=${BPDOJO_BUILD_DIR:-build}
python=${BPDOJO_PYTHON:-/usr/bin/python3}  # needs numpy and torch (python3-numpy, python3-torch)
repeat=${1:-5}
seed=0
export OMP_NUM_THREADS=1
command -v hyperfine >/dev/null || { echo "bench: needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
[ -x "$build/checker" ] || { echo "bench: no $build/checker: cmake --build $build first" >&2; exit 2; }
"$python" -c 'import numpy, torch' 2>/dev/null || { echo "bench: $python needs numpy and torch (apt-get install python3-torch)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$build/checker" exercise_06 --solutions --seed "$seed" --dump "$tmp/dump" >"$tmp/dump.log" 2>&1 \
  || { cat "$tmp/dump.log" >&2; echo "bench: checker exercise_06 --solutions failed" >&2; exit 1; }

# (a) ours; without bench_fd (not built yet) the torch half still runs.
if [ -x "$build/bench/bench_fd" ]; then
  "$build/bench/bench_fd" --seed "$seed" --repeat "$repeat" >"$tmp/fd.json"
else
  echo "bench: no $build/bench/bench_fd (cmake --build $build --target bench_fd): no ratio this time" >&2
  echo null >"$tmp/fd.json"
fi
# (b) torch
"$python" bench/gradcheck_torch.py "$tmp/dump" "$repeat" >"$tmp/torch.json"
# (c) the whole command
hyperfine --warmup 1 --runs 5 --export-json "$tmp/checker.json" \
  -n "checker exercise_06 --solutions" "$build/checker exercise_06 --solutions" >/dev/null

mkdir -p bench/results
"$python" - "$tmp" "$seed" "$repeat" bench/results/gradcheck_vs_torch.json <<'PY'
import json, os, platform, statistics, sys, time
tmp, seed, repeat, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
fd = json.load(open(f"{tmp}/fd.json"))
tg = json.load(open(f"{tmp}/torch.json"))
hf = json.load(open(f"{tmp}/checker.json"))["results"][0]
sizes = json.load(open(f"{tmp}/dump/index.json"))["sizes"]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
checker = statistics.median(hf["times"])
ours = fd and fd.get("fd_seconds_median", fd.get("fd_backward_seconds"))
ratio = tg["gradcheck_seconds"] / ours if ours else None

def row(what, s, note=""):
    print(f"  {what:<44} {'n/a' if s is None else f'{s:9.4f} s':>11}  {note or ''}")

print(f"exercise_06  seed {seed}  N={sizes['N']} H={sizes['H']}  1 thread  {cpu}")
row("ours: finite differences (bench_fd)", ours,
    fd and ", ".join(f"{k} {fd[k]:g}" for k in ("fd_seconds_min", "parameter_elements", "evaluations", "judge_seconds")
                     if k in fd))
row("torch.autograd.gradcheck (float64, slow mode)", tg["gradcheck_seconds"],
    f"{tg['evaluations']} evaluations, {tg['parameters']} parameters, {'passed' if tg['passed'] else 'FAILED'}")
row("checker exercise_06 --solutions (hyperfine)", checker, "the whole command: 26 tensors, both judgements")
print(f"  ratio gradcheck / ours: {'n/a (no bench_fd)' if ratio is None else f'{ratio:.1f}x'} (target >= 10x)"
      f"   gradcheck / whole checker command: {tg['gradcheck_seconds'] / checker:.2f}x")
json.dump({
    "benchmark": "gradcheck_vs_torch", "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    "machine": {"cpu": cpu, "cores": os.cpu_count(), "threads": 1}, "exercise": "exercise_06",
    "seed": seed, "sizes": sizes, "repeat": repeat,
    "ours_bench_fd": fd, "torch_gradcheck": tg,
    "checker_command": {"command": hf["command"], "median_seconds": checker, "times": hf["times"]},
    "ratio_gradcheck_over_ours": ratio, "target": 10.0, "target_met": None if ratio is None else ratio >= 10.0,
}, open(out, "w"), indent=2)
print(f"  wrote {out}")
PY
