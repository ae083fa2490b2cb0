#!/usr/bin/env bash
# Training steps per second, exercise 08's reference runner vs. PyTorch autograd on the CPU:
# the same network (float64), batch N=32, H=64 and H=200, lr 0.1 then 0.01, one thread each.
#   ours:  build/solutions/exercise_08 (the workbook's forward pass, the reference backward pass and
#          SGD; its protocol thrown away) with S=STEPS minus the same with S=0, which subtracts the
#          start-up, the instance and the two backward passes of the gradient check; wall time of
#          the process (time.perf_counter around it);
#   torch: bench/train_torch.py --threads 1 on a --dump of the same seed and H: its training loop
#          alone, timed with time.perf_counter (forward as the lecture's exercise 4 writes it,
#          loss.backward(), p.data -= lr * p.grad).
# The three runs of one H follow each other, REPEAT times over (interleaved, so a neighbour that
# slows the machine down slows both); figures are medians over the repeats. On a shared machine
# the spread is large: the ratio of each repeat is printed too.
# Target: ours >= 5x torch's steps per second. Writes bench/results/train_steps.json.
# VS="DIR ...": other builds' solutions/exercise_08 (another checkout, or this one configured with
# other flags), run the same way in the same interleaved loop and printed beside ours.
#
# usage: [VS="DIR ..."] bench/train_steps.sh [STEPS] [REPEAT]   (default 20000 and 3; build first)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build=${BPDOJO_BUILD_DIR:-build}
python=${BPDOJO_PYTHON:-/usr/bin/python3}  # needs numpy and torch (python3-numpy, python3-torch)
steps=${1:-20000}
repeat=${2:-3}
seed=0
hiddens="64 200"
export OMP_NUM_THREADS=1
[ -x "$build/checker" ] && [ -x "$build/solutions/exercise_08" ] \
  || { echo "bench: no $build/checker or $build/solutions/exercise_08: cmake --build $build first" >&2; exit 2; }
for d in ${VS:-}; do
  [ -x "$d/solutions/exercise_08" ] || { echo "bench: VS: no $d/solutions/exercise_08" >&2; exit 2; }
done
"$python" -c 'import numpy, torch' 2>/dev/null || { echo "bench: $python needs numpy and torch (apt-get install python3-torch)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The initial parameters and the split of the same seed and H, for torch (a 0-step run is judged
# "wrong": nothing changed; only its dump is used).
for H in $hiddens; do
  "$build/checker" exercise_08 --solutions --seed "$seed" --steps 0 --hidden "$H" --plot "$tmp/plot_$H.svg" \
    --dump "$tmp/dump_$H" >/dev/null 2>&1 || true
  [ -f "$tmp/dump_$H/inputs/a.W1.npy" ] || { echo "bench: checker --dump wrote nothing for H=$H" >&2; exit 1; }
done

mkdir -p bench/results
"$python" - "$tmp" "$build/solutions/exercise_08" "$python" "$steps" "$repeat" "$seed" "$hiddens" \
  bench/results/train_steps.json "${VS:-}" <<'PY'
import json, os, platform, statistics, subprocess, sys, time
tmp, runner, python, steps, repeat, seed, hiddens, out, vs = sys.argv[1:]
others = [(d, f"{d}/solutions/exercise_08") for d in vs.split()]
steps, repeat, seed, hiddens = int(steps), int(repeat), int(seed), [int(h) for h in hiddens.split()]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
loadavg = lambda: open("/proc/loadavg").read().split()[:3]
load_before = loadavg()

def ours(S, H, runner=runner):
    cmd = f"{runner} --seed {seed} --size S={S} --size H={H} --fd 3 3>/dev/null >/dev/null"
    start = time.perf_counter()
    subprocess.run(cmd, shell=True, check=True)
    return time.perf_counter() - start

def torch(H, r):
    j = f"{tmp}/torch_{H}_{r}.json"
    subprocess.run([python, "bench/train_torch.py", "--dump", f"{tmp}/dump_{H}", "--steps", str(steps),
                    "--threads", "1", "--seed", str(seed), "--json", j], check=True, stdout=subprocess.DEVNULL)
    return json.load(open(j))

runs = {H: {"full": [], "empty": [], "torch": [], "vs": {d: ([], []) for d, _ in others}} for H in hiddens}
for H in hiddens:
    ours(0, H)  # warm-up: the binary and its libraries in the page cache
    for _, other in others:
        ours(0, H, other)
for r in range(repeat):
    for H in hiddens:
        runs[H]["full"].append(ours(steps, H))
        runs[H]["empty"].append(ours(0, H))
        for d, other in others:
            runs[H]["vs"][d][0].append(ours(steps, H, other))
            runs[H]["vs"][d][1].append(ours(0, H, other))
        runs[H]["torch"].append(torch(H, r))

print(f"exercise_08 training, N=32, {steps} steps, lr 0.1 then 0.01, float64, 1 thread, {repeat} repeats  {cpu}")
print(f"  load average before {' '.join(load_before)}, after {' '.join(loadavg())}")
print(f"  {'H':>4}  {'ours steps/s':>13}  {'torch steps/s':>14}  {'ratio':>7}  per repeat")
rows = []
for H in hiddens:
    R = runs[H]
    full, empty = statistics.median(R["full"]), statistics.median(R["empty"])
    ours_rate = steps / (full - empty)
    torch_rates = [t["steps_per_second"] for t in R["torch"]]
    torch_rate = statistics.median(torch_rates)
    per = [(steps / (f - e)) / t for f, e, t in zip(R["full"], R["empty"], torch_rates)]
    print(f"  {H:>4}  {ours_rate:13.0f}  {torch_rate:14.0f}  {ours_rate / torch_rate:6.2f}x  "
          + " ".join(f"{p:.2f}x" for p in per)
          + f"   (ours {full:.3f} s - {empty:.3f} s; torch dev {R['torch'][0]['dev_loss']:.4f})")
    vs_rows = {}
    for d, (f_, e_) in R["vs"].items():
        rate = steps / (statistics.median(f_) - statistics.median(e_))
        vs_rows[d] = {"steps_per_second": rate, "ratio": rate / torch_rate, "seconds_full": f_, "seconds_empty": e_}
        print(f"  {'':>4}  {rate:13.0f}  {'':>14}  {rate / torch_rate:6.2f}x  VS {d} (ours / VS: {ours_rate / rate:.2f}x)")
    rows.append({"vs": vs_rows, "H": H, "ours_steps_per_second": ours_rate, "torch_steps_per_second": torch_rate,
                 "ratio": ours_rate / torch_rate, "ratio_per_repeat": per,
                 "ours_seconds_full": R["full"], "ours_seconds_empty": R["empty"],
                 "torch_steps_per_second_runs": torch_rates, "torch_runs": R["torch"]})
worst = min(r["ratio"] for r in rows)
print(f"  target ours >= 5x torch: {'met' if worst >= 5 else 'missed'} (smallest ratio {worst:.2f}x)")
json.dump({"benchmark": "train_steps", "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
           "machine": {"cpu": cpu, "cores": os.cpu_count(), "threads": 1, "loadavg_before": load_before,
                       "loadavg_after": loadavg()},
           "steps": steps, "repeat": repeat, "batch": 32, "seed": seed, "rows": rows,
           "target": 5.0, "target_met": worst >= 5}, open(out, "w"), indent=2)
print(f"  wrote {out}")
PY
