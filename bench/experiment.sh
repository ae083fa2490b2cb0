#!/usr/bin/env bash
# Exercise 11's experiment (48 stacks x S steps, default 200): `checker exercise_11 --solutions`
# with the experiment against the same command with --size S=0 (the gradient check alone, the
# floor it adds to), with hyperfine; then the runner's own time and the experiment's share of it.
# Target: the whole check within 30 s at the default sizes on a 2-core machine (the checker runs the
# reference's 48 stacks on a thread of its own while the runner runs the learner's).
#
# usage: bench/experiment.sh [RUNS]   (default 5; needs hyperfine and a built build/)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build=${BPDOJO_BUILD_DIR:-build}
runs=${1:-5}
command -v hyperfine >/dev/null || { echo "bench: needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
[ -x "$build/checker" ] || { echo "bench: no $build/checker: cmake --preset default && cmake --build --preset default" >&2; exit 2; }
"$build/checker" exercise_11 --solutions --size S=0 >/dev/null  # builds the runner if needed
hyperfine --runs "$runs" --warmup 1 -N \
  -n "gradient check alone (S=0)" "$build/checker exercise_11 --solutions --size S=0" \
  -n "with the experiment (S=200)" "$build/checker exercise_11 --solutions"
"$build/checker" exercise_11 --solutions --json |
  python3 -c 'import json,sys; r=json.load(sys.stdin); print("runner (the learner side of the experiment): %.2f s" % r["runner"]["wall_seconds"])'
