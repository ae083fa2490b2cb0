#!/usr/bin/env python3
"""Exercise 15's GPT block against exercise 08's MLP on the names: the dev loss each reaches at
equal steps and at equal wall time, both computed by the checker.

usage: bench/gpt_vs_mlp.py [STEPS] [SEED]   (default 3000 and 0; build first: cmake --build build
       --target checker solution_08 solution_15)

1. `checker exercise_15 --solutions --steps STEPS`: the block's dev loss, and its runner's time
   (the wall time of build/solutions/exercise_15 with S=STEPS minus the same with S=0, so the
   start-up and the gradient check are not counted).
2. `checker exercise_08 --solutions --steps STEPS`: the MLP's dev loss at the same number of steps
   (N=32, H=64, lr 0.1 then 0.01: 08's defaults).
3. The MLP's time per step measured the same way (S=20000 minus S=0), and
   `checker exercise_08 --solutions --steps K` with K the steps it takes in the block's time.
Prints the four figures and the ratios. Exit 0 when the block's dev loss is below the MLP's in
both comparisons, 1 otherwise (the issue is then blocked, with these figures).
"""
import os
import re
import subprocess
import sys
import time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
build = os.environ.get("BPDOJO_BUILD_DIR", os.path.join(root, "build"))


def runner_seconds(nn, steps, seed):
    def once(s):
        t = time.perf_counter()
        subprocess.run([os.path.join(build, "solutions", f"exercise_{nn}"), "--seed", str(seed), "--size", f"S={s}"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        return time.perf_counter() - t
    return once(steps) - once(0)


def dev_loss(nn, steps, seed):
    out = subprocess.run([os.path.join(build, "checker"), f"exercise_{nn}", "--solutions", "--seed", str(seed), "--steps", str(steps),
                          "--timeout", "3600"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
    m = re.search(r"dev ([0-9.]+)", out.split("training", 1)[-1])
    if not m:
        sys.exit(f"no dev loss in the output of exercise_{nn}:\n{out}")
    return float(m.group(1))


def main():
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    gpt_dev = dev_loss("15", steps, seed)
    gpt_s = runner_seconds("15", steps, seed)
    mlp_dev = dev_loss("08", steps, seed)
    per_step = runner_seconds("08", 20000, seed) / 20000
    same_time = max(1, int(gpt_s / per_step))
    mlp_dev_time = dev_loss("08", same_time, seed)
    print(f"seed {seed}: GPT block (15) after {steps} steps: dev {gpt_dev:.4f} in {gpt_s:.1f} s ({1000 * gpt_s / steps:.2f} ms a step)")
    print(f"  MLP (08) at equal steps ({steps}):            dev {mlp_dev:.4f}  (block better by {mlp_dev - gpt_dev:+.4f})")
    print(f"  MLP (08) at equal time ({same_time} steps, {1000 * per_step:.3f} ms a step): dev {mlp_dev_time:.4f}"
          f"  (block better by {mlp_dev_time - gpt_dev:+.4f})")
    return 0 if gpt_dev < mlp_dev and gpt_dev < mlp_dev_time else 1


if __name__ == "__main__":
    sys.exit(main())
