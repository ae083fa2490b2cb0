"""numpy and torch for the PyTorch cross-checks (Debian's python3-numpy and python3-torch), and
what the cross-checks share.

`from needs_torch import np, torch` gives both, or ends the script: skipped (exit 77) where they
cannot be imported, or failed (exit 1) under CI=true, where a skipped check would hide that it
never ran. Also: `rel_error`, the cross-checks' relative error; `solution_dump`, the reference
solution's --dump of one instance; `vs_autograd`, one dumped gradient against autograd's (and
`vs_autograd_all`, every one of a dump);
`run_cases`, a cross-check's command line.
"""
import json
import os
import subprocess
import sys

try:
    import numpy as np
    import torch
except ImportError as e:
    why = "%s: %s cannot import numpy and torch (Debian's python3-numpy and python3-torch)" % (e, sys.executable)
    if os.environ.get("CI") == "true":
        print("FAIL: " + why + "; CI=true, where a skipped check is a failure")
        sys.exit(1)
    print("skipped: " + why)
    sys.exit(77)



def rel_error(a, t, floor=1e-300):
    """max|a - t| / max(max|a|, max|t|, floor)."""
    return float(np.abs(a - t).max() / max(np.abs(a).max(), np.abs(t).max(), floor))


def solution_dump(checker, exercise, seed, sizes, folder, *options):
    """Runs `CHECKER EXERCISE --solutions --seed SEED --dump FOLDER [OPTIONS] [--size SIZES]` and
    returns the dump's index.json and its inputs by name; None, said with the checker's output,
    when the checker fails."""
    cmd = [checker, exercise, "--solutions", "--seed", str(seed), "--dump", folder, *options]
    if sizes:
        cmd += ["--size", sizes]
    run = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if run.returncode != 0:
        print(f"seed {seed} {sizes}: the checker exited with {run.returncode}\n{run.stdout}")
        return None
    with open(os.path.join(folder, "index.json")) as f:
        index = json.load(f)
    return index, {e["name"]: np.load(os.path.join(folder, e["file"])) for e in index["inputs"]}


def vs_autograd(folder, name, entry, t, tol, tol_numeric, width=14, also_bad=None):
    """Gradient `name` of the dump in `folder` (its entry in index.json) against autograd's `t`: the
    solution's within `tol` by rel_error, the checker's finite differences within `tol_numeric`, and
    not also_bad(the solution's) when given. Prints its line, the name `width` wide; returns
    (passed, the solution's rel)."""
    a = np.load(os.path.join(folder, entry["yours"])).reshape(t.shape)
    num = np.load(os.path.join(folder, entry["numeric"])).reshape(t.shape)
    rel, rel_num = rel_error(a, t), rel_error(num, t)
    bad = rel > tol or rel_num > tol_numeric
    if also_bad is not None:
        bad |= also_bad(a)
    print(f"  {name:<{width}} {str(t.shape):<10} vs autograd {rel:.1e}  numeric vs autograd {rel_num:.1e}"
          f"{'  FAIL' if bad else ''}")
    return not bad, rel


def vs_autograd_all(folder, index, auto, tol, tol_numeric, width=14, also_bad=None, ok=True):
    """Every gradient of the dump's index.json (`index`) against autograd's (`auto`, by name), each
    with vs_autograd (also_bad(name) gives that gradient's extra test, or None); a gradient autograd
    did not rebuild, or one more rebuilt than dumped, fails, and so does the whole when `ok` says an
    earlier check of this dump failed. Prints a line each and the worst; returns (passed, the worst rel)."""
    entries = {g["name"]: g for g in index["gradients"]}
    worst = 0.0
    for name in entries:
        g = entries[name]
        if name not in auto or not g["yours"]:
            print(f"  {name}: not in the dump or not rebuilt")
            ok = False
            continue
        passed, rel = vs_autograd(folder, name, g, auto[name], tol, tol_numeric, width=width,
                                  also_bad=also_bad(name) if also_bad else None)
        worst = max(worst, rel)
        ok &= passed
    if len(auto) != len(entries):
        print(f"  {len(entries)} gradients in the dump, {len(auto)} rebuilt  FAIL")
        ok = False
    print(f"  worst rel vs autograd {worst:.1e} (<= {tol:g}): {'pass' if ok else 'FAIL'}")
    return ok, worst


def run_cases(usage, check, default_cases):
    """A cross-check's main: `SCRIPT CHECKER [SEED [SIZES]]`, or every (seed, sizes) of
    default_cases; check(checker, seed, sizes) returns (passed, worst rel). Exit code: 0 when every
    instance passed, 1 otherwise, 2 with the usage for other arguments."""
    if len(sys.argv) not in (2, 3, 4):
        print(usage, file=sys.stderr)
        return 2
    if len(sys.argv) >= 3:
        cases = [(int(sys.argv[2]), sys.argv[3] if len(sys.argv) == 4 else "")]
    else:
        cases = default_cases
    results = [check(sys.argv[1], s, z) for s, z in cases]
    print(f"worst rel over {len(cases)} instances: {max(w for _, w in results):.1e}")
    return 0 if all(ok for ok, _ in results) else 1


__all__ = ["np", "torch", "rel_error", "solution_dump", "vs_autograd", "vs_autograd_all", "run_cases"]
