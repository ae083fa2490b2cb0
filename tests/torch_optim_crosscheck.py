#!/usr/bin/env python3
"""The reference solution of exercise 17 (one update of SGD with momentum, Nesterov, RMSprop, Adam
and AdamW) against torch.optim itself in float64, from a --dump.

usage: torch_optim_crosscheck.py CHECKER_BINARY [SEED [SIZES]]   (default: seeds 0 and 1 at the
       default sizes, and seed 2 at N=1,D=1; SIZES as the checker takes them, "N=3,D=5")

For each instance: runs `CHECKER exercise_17 --solutions --seed SEED --dump TMP`; for each of its ten
cases (a problem each: a parameter, its gradient, its state and the hyper-parameters, dumped as the
data input_param, input_grad, input_<state> and hyper), builds the torch optimizer with the same
hyper-parameters (foreach off, dampening 0, RMSprop without momentum, not centred), hands it the
state (none at t = 1; at a late t the buffer, square_avg or exp_avg and exp_avg_sq, and step t - 1),
sets the gradient and calls step() once. Then compares the parameter and every state tensor with the
solution's (yours/) and with the checker's own reference (numeric/):
    rel = max|a-t| / max(max|a|, max|t|, 1e-300)
Every rel must be <= 1e-13, the rows' own bar. Exit 0 on pass, 1 on failure, 77 (skipped) without
numpy or torch; under CI=true a missing numpy or torch is a failure.
"""
import json
import os
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from needs_torch import np, rel_error, run_cases, solution_dump, torch  # noqa: E402  (numpy and torch, or the script ends skipped)

TOL = 1e-13
STATE = {"sgd": ("buf",), "nesterov": ("buf",), "rmsprop": ("square_avg",), "adam": ("m", "v"), "adamw": ("m", "v")}
TORCH_STATE = {"buf": "momentum_buffer", "square_avg": "square_avg", "m": "exp_avg", "v": "exp_avg_sq"}



def torch_step(optimizer, inputs, prefix):
    """One step of torch.optim on the dumped case `prefix` ("a."): the parameter, then each state."""
    hyper = inputs[prefix + "hyper"][0]
    t, lr, first, beta2, eps, wd, nesterov = (float(x) for x in hyper)
    t = int(t)
    p = torch.nn.Parameter(torch.tensor(inputs[prefix + "input_param"], dtype=torch.float64))
    if optimizer in ("sgd", "nesterov"):
        opt = torch.optim.SGD([p], lr=lr, momentum=first, dampening=0, weight_decay=wd, nesterov=bool(nesterov), foreach=False)
    elif optimizer == "rmsprop":
        opt = torch.optim.RMSprop([p], lr=lr, alpha=first, eps=eps, weight_decay=wd, foreach=False)
    else:
        cls = torch.optim.Adam if optimizer == "adam" else torch.optim.AdamW
        opt = cls([p], lr=lr, betas=(first, beta2), eps=eps, weight_decay=wd, foreach=False)
    if t > 1:
        state = {TORCH_STATE[s]: torch.tensor(inputs[prefix + "input_" + s], dtype=torch.float64) for s in STATE[optimizer]}
        if optimizer != "sgd" and optimizer != "nesterov":
            state["step"] = torch.tensor(float(t - 1))
        opt.state[p] = state
    p.grad = torch.tensor(inputs[prefix + "input_grad"], dtype=torch.float64)
    opt.step()
    out = {"param": p.detach().numpy()}
    for s in STATE[optimizer]:
        out[s] = opt.state[p][TORCH_STATE[s]].numpy()
    if optimizer not in ("sgd", "nesterov") and int(opt.state[p]["step"]) != t:
        raise RuntimeError(f"{optimizer}: torch counted step {int(opt.state[p]['step'])}, the case is at t = {t}")
    return out


def check(checker, seed, sizes):
    with tempfile.TemporaryDirectory(prefix="bpdojo_torch_optim_") as d:
        dumped = solution_dump(checker, "exercise_17", seed, sizes, d, "--size", "S=0")  # the updates alone
        if dumped is None:
            return False, float("inf")
        index, inputs = dumped
        entries = {g["name"]: g for g in index["gradients"]}
        ok, worst, rows = True, 0.0, 0
        print(f"seed {seed}  {json.dumps(index['sizes'])}")
        cases = sorted({g["name"].rsplit(".", 1)[0] for g in index["gradients"]}, key=lambda c: entries[c + ".param"]["node"])
        for case in cases:
            optimizer = case.split(".")[0]
            prefix = entries[case + ".param"]["node"].split(".")[0] + "."
            t = int(inputs[prefix + "hyper"][0][0])
            ref = torch_step(optimizer, inputs, prefix)
            for what, tt in ref.items():
                g = entries.get(case + "." + what)
                if not g or not g["yours"]:
                    print(f"  {case}.{what}: not in the dump")
                    ok = False
                    continue
                a = np.load(os.path.join(d, g["yours"])).reshape(tt.shape)
                num = np.load(os.path.join(d, g["numeric"])).reshape(tt.shape)
                rel, rel_num = rel_error(a, tt), rel_error(num, tt)
                worst = max(worst, rel, rel_num)
                rows += 1
                bad = rel > TOL or rel_num > TOL
                ok &= not bad
                print(f"  {case + '.' + what:<26} t={t:<5} yours vs torch.optim {rel:.1e}  numeric vs torch.optim {rel_num:.1e}"
                      f"{'  FAIL' if bad else ''}")
        if rows != len(index["gradients"]):
            print(f"  {rows} rows compared of {len(index['gradients'])}  FAIL")
            ok = False
        print(f"  worst rel vs torch.optim {worst:.1e} (<= {TOL:g}): {'pass' if ok else 'FAIL'}")
        return ok, worst


def main():
    return run_cases(__doc__.split("\n\n")[1], check, [(0, ""), (1, ""), (2, "N=1,D=1")])


if __name__ == "__main__":
    sys.exit(main())
