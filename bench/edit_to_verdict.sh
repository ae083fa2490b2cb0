#!/usr/bin/env bash
# Edit-to-verdict: change one exercise file's bytes (a comment appended; the checker rebuilds on
# content, so a bare touch is no edit) and run the checker on it (rebuild + run + judge),
# against the physical floor of compiling a file that holds only `#include <Eigen/Dense>` with the
# same compiler and flags, measured in the same run with hyperfine (apt install hyperfine).
# Target: edit-to-verdict median <= 1.0x the floor.
#
# usage: bench/edit_to_verdict.sh [NN ...]   (default: every exercise; needs a configured build/)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build=${BPDOJO_BUILD_DIR:-build}
command -v hyperfine >/dev/null || { echo "bench: needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
[ -f "$build/compile_commands.json" ] || { echo "bench: no $build/compile_commands.json: cmake --preset default first" >&2; exit 2; }
cmake --build "$build" >/dev/null
exercises=("$@")
[ ${#exercises[@]} -gt 0 ] || exercises=($(ls solutions/exercise_*.cpp | sed -E 's|.*exercise_([0-9]+)_.*|\1|'))
tmp=$(mktemp -d)
mkdir "$tmp/originals"
cp solutions/exercise_*.cpp "$tmp/originals/"
trap 'cp "$tmp"/originals/*.cpp solutions/; rm -rf "$tmp"' EXIT  # the solutions as they were
echo '#include <Eigen/Dense>' >"$tmp/floor.cpp"

for nn in "${exercises[@]}"; do
  src=$(ls solutions/exercise_"$nn"_*.cpp)
  # The exact command the build uses for this file, minus the precompiled header and the output.
  flags=$(python3 - "$build/compile_commands.json" "$PWD/$src" <<'PY'
import json, shlex, sys
for e in json.load(open(sys.argv[1])):
    if e["file"] == sys.argv[2]:
        args = shlex.split(e["command"])
        out, skip = [], False
        for a in args[1:]:
            if skip: skip = False; continue
            if a in ("-include", "-o", "-c", "-MF", "-MT"): skip = True; continue
            if a in ("-Winvalid-pch", "-MD"): continue
            out.append(a)
        print(args[0], " ".join(shlex.quote(a) for a in out)); break
PY
)
  echo "== exercise $nn: $src"
  hyperfine --warmup 1 --runs "${RUNS:-10}" --export-json "$tmp/$nn.json" \
    --prepare "echo '// edit' >>$src" -n "edit-to-verdict" "$build/checker $nn --solutions" \
    -n "floor: compile #include <Eigen/Dense>" "$flags -c $tmp/floor.cpp -o $tmp/floor.o" >/dev/null 2>&1
  python3 - "$tmp/$nn.json" <<'PY'
import json, statistics, sys
r = json.load(open(sys.argv[1]))["results"]
med = [statistics.median(x["times"]) for x in r]
print(f"  edit-to-verdict median {med[0]:.3f} s   floor median {med[1]:.3f} s   ratio {med[0]/med[1]:.2f}x (target <= 1.00x)")
PY
done
