#!/usr/bin/env bash
# Training steps per second, exercise 08's reference runner vs. PyTorch autograd on the CPU:
# the same network (float64), batch N=32, H=64 and H=200, lr 0.1 then 0.01, one thread each.
#   ours:  build/solutions/exercise_08 (the workbook's forward pass, the reference backward pass and
#          SGD; the protocol thrown away) with S=STEPS minus the same with S=0, which subtracts the
#          start-up, the instance and the two backward passes of the gradient check; hyperfine
#          medians of RUNS runs each;
#   torch: bench/train_torch.py --threads 1 on a --dump of the same seed and H: its training loop
#          alone, timed with time.perf_counter (forward as the lecture's exercise 4 writes it,
#          loss.backward(), p.data -= lr * p.grad).
# Target: ours >= 5x torch's steps per second. Writes bench/results/train_steps.json.
#
# usage: bench/train_steps.sh [STEPS] [RUNS]   (default 20000 and 3; build first: cmake --build build)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build=${BPDOJO_BUILD_DIR:-build}
python=${BPDOJO_PYTHON:-/usr/bin/python3}  # needs numpy and torch (python3-numpy, python3-torch)
steps=${1:-20000}
runs=${2:-3}
seed=0
hiddens=(64 200)
export OMP_NUM_THREADS=1
command -v hyperfine >/dev/null || { echo "bench: needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
[ -x "$build/checker" ] && [ -x "$build/solutions/exercise_08" ] \
  || { echo "bench: no $build/checker or $build/solutions/exercise_08: cmake --build $build first" >&2; exit 2; }
"$python" -c 'import numpy, torch' 2>/dev/null || { echo "bench: $python needs numpy and torch (apt-get install python3-torch)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

runner="$build/solutions/exercise_08"
for H in "${hiddens[@]}"; do
  # ours: S=steps and S=0, interleaved by hyperfine in one invocation
  hyperfine --warmup 1 --runs "$runs" --export-json "$tmp/ours_$H.json" \
    -n "S=$steps" "$runner --seed $seed --size S=$steps --size H=$H --fd 3 3>/dev/null" \
    -n "S=0" "$runner --seed $seed --size S=0 --size H=$H --fd 3 3>/dev/null" >/dev/null
  # torch: the initial parameters and the split of the same seed and H (a 0-step run "fails": ignored)
  "$build/checker" exercise_08 --solutions --seed "$seed" --steps 0 --hidden "$H" --plot "$tmp/plot_$H.svg" \
    --dump "$tmp/dump_$H" \
    >/dev/null 2>&1 || true
  [ -f "$tmp/dump_$H/inputs/a.W1.npy" ] || { echo "bench: checker --dump wrote nothing for H=$H" >&2; exit 1; }
  "$python" bench/train_torch.py --dump "$tmp/dump_$H" --steps "$steps" --threads 1 --seed "$seed" \
    --json "$tmp/torch_$H.json" >/dev/null
done

mkdir -p bench/results
"$python" - "$tmp" "$steps" "$runs" "${hiddens[*]}" bench/results/train_steps.json <<'PY'
import json, os, platform, statistics, sys, time
tmp, steps, runs, hiddens, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4].split(), sys.argv[5]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
try:
    load = open("/proc/loadavg").read().split()[:3]
except OSError:
    load = None
print(f"exercise_08 training, N=32, {steps} steps, lr 0.1 then 0.01, float64, 1 thread  {cpu}  load {' '.join(load or [])}")
print(f"  {'H':>4}  {'ours steps/s':>13}  {'torch steps/s':>14}  {'ratio':>7}  ours: median S={steps} - median S=0 (hyperfine, {runs} runs)")
rows = []
for H in hiddens:
    hf = {r["command"]: r for r in json.load(open(f"{tmp}/ours_{H}.json"))["results"]}
    full, empty = statistics.median(hf[f"S={steps}"]["times"]), statistics.median(hf["S=0"]["times"])
    ours = steps / (full - empty)
    tj = json.load(open(f"{tmp}/torch_{H}.json"))
    ratio = ours / tj["steps_per_second"]
    print(f"  {H:>4}  {ours:13.0f}  {tj['steps_per_second']:14.0f}  {ratio:6.2f}x  "
          f"{full:.3f} s - {empty:.3f} s; torch loop {tj['train_seconds']:.3f} s, dev {tj['dev_loss']:.4f}")
    rows.append({"H": int(H), "ours_steps_per_second": ours, "ours_seconds": {"full": full, "empty": empty,
                 "times_full": hf[f"S={steps}"]["times"], "times_empty": hf["S=0"]["times"]},
                 "torch_steps_per_second": tj["steps_per_second"], "torch": tj, "ratio": ratio})
worst = min(r["ratio"] for r in rows)
print(f"  target ours >= 5x torch: {'met' if worst >= 5 else 'missed'} (smallest ratio {worst:.2f}x)")
json.dump({"benchmark": "train_steps", "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
           "machine": {"cpu": cpu, "cores": os.cpu_count(), "threads": 1, "loadavg": load},
           "steps": steps, "runs": runs, "batch": 32, "rows": rows, "target": 5.0, "target_met": worst >= 5},
          open(out, "w"), indent=2)
print(f"  wrote {out}")
PY
