#!/usr/bin/env python3
"""The reference solution of exercise 15 (a GPT block on the names) against PyTorch autograd in
float64, from a --dump.

usage: torch_gpt_crosscheck.py CHECKER_BINARY [SEED [SIZES]]   (default: seed 0 at the default
       sizes, and seed 1 at B=3,T=7,H=3,D=5; SIZES as the checker takes them, "B=3,T=7")

For each instance: runs `CHECKER exercise_15 --solutions --seed SEED --size S=0 --dump TMP` and
rebuilds the block in torch from the dumped leaves of both parameter sets (a.*, b.*) and the batch
(x@b, y@b, mask@b), independently of the workbook's layout: wte[x] + wpe, F.layer_norm (eps 1e-5),
GPT-2's CausalSelfAttention (qkv split, .view(B,T,H,D).transpose(1,2), masked_fill(-inf) above the
diagonal, softmax), F.gelu(approximate="tanh"), F.cross_entropy with reduction "none" times the
mask over its sum. Every activation keeps its gradient (retain_grad), and each of the 58
gradients is compared with autograd's:
    rel = max|a-t| / max(max|a|, max|t|, 1e-300)
Every rel must be <= 1e-10, and autograd must agree with the checker's finite differences
(numeric/, the checker's own bar 1e-8), a check of the rebuilt loss. The updates (sgd.*, sgd2.*)
are recomputed as p - lr g (torch.optim.SGD's step would be the same) from the dump's start and
gradients with the runner's learning rates 0.1 and 0.05. Exit 0 on pass, 1 on failure, 77
(skipped) without numpy or torch; under CI=true a missing numpy or torch is a failure.
"""
import json
import os
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from needs_torch import np, run_cases, solution_dump, torch, vs_autograd_all  # noqa: E402  (numpy and torch, or the script ends skipped)

F = torch.nn.functional
TOL_EXACT = 1e-10
TOL_NUMERIC = 1e-8
PARAMS = ("wte", "wpe", "ln1w", "ln1b", "attnw", "attnb", "attprojw", "attprojb", "ln2w", "ln2b", "fcw", "fcb",
          "fcprojw", "fcprojb", "lnfw", "lnfb", "lmw", "lmb")
LR1, LR2 = 0.1, 0.05  # the runner's (problems/exercise_15_gpt.hpp, GptUpdateCheck)


def block(inputs, problem, B, T, H):
    """The forward pass and autograd at one parameter set; the gradients by the solution's names."""
    p = {n: torch.tensor(inputs[f"{problem}.{n}"], dtype=torch.float64, requires_grad=True) for n in PARAMS}
    rows = lambda name: np.stack([inputs[f"{problem}.{name}@{b}"] for b in range(1, B + 1)])[..., 0]  # noqa: E731
    x = torch.tensor(rows("x"), dtype=torch.long)  # (B,T)
    y = torch.tensor(rows("y"), dtype=torch.long)
    mask = torch.tensor(rows("mask"), dtype=torch.float64)
    C = p["wte"].shape[1]
    D = C // H
    ln = lambda t, w, b: F.layer_norm(t, (C,), w[0], b[0], eps=1e-5)  # noqa: E731
    encoded = p["wte"][x] + p["wpe"][:T]
    ln1 = ln(encoded, p["ln1w"], p["ln1b"])
    qkv = ln1 @ p["attnw"] + p["attnb"]
    q, k, v = (t.view(B, T, H, D).transpose(1, 2) for t in qkv.split(C, dim=2))
    scores = q @ k.transpose(-2, -1) / D ** 0.5
    causal = torch.tril(torch.ones(T, T, dtype=torch.bool))
    att = torch.softmax(scores.masked_fill(~causal, float("-inf")), dim=-1)
    atty = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
    residual2 = encoded + (atty @ p["attprojw"] + p["attprojb"])
    ln2 = ln(residual2, p["ln2w"], p["ln2b"])
    fch = ln2 @ p["fcw"] + p["fcb"]
    fch_gelu = F.gelu(fch, approximate="tanh")
    residual3 = residual2 + (fch_gelu @ p["fcprojw"] + p["fcprojb"])
    lnf = ln(residual3, p["lnfw"], p["lnfb"])
    logits = lnf @ p["lmw"] + p["lmb"]
    nll = F.cross_entropy(logits.view(B * T, -1), y.view(-1), reduction="none")
    acts = {"logits": logits, "lnf": lnf, "residual3": residual3, "fch_gelu": fch_gelu, "fch": fch, "ln2": ln2,
            "residual2": residual2, "atty": atty, "qkv": qkv, "ln1": ln1, "encoded": encoded}
    for t in acts.values():
        t.retain_grad()
    ((nll * mask.view(-1)).sum() / mask.sum()).backward()
    prefix = "" if problem == "a" else "p2."
    grads = {prefix + "d" + n: t.grad.reshape(B * T, -1).numpy() for n, t in acts.items()}
    grads.update({prefix + "d" + n: p[n].grad.numpy() for n in PARAMS})
    return grads


def updates(inputs):
    out = {}
    for n in PARAMS:
        start, g1, g2 = (torch.tensor(inputs[f"c.{w}.{n}"], dtype=torch.float64) for w in ("start", "g1", "g2"))
        out["sgd." + n] = (start - LR1 * g1).numpy()
        out["sgd2." + n] = (start - LR1 * g1 - LR2 * g2).numpy()
    return out


def check(checker, seed, sizes):
    with tempfile.TemporaryDirectory(prefix="bpdojo_torch_gpt_") as d:
        dumped = solution_dump(checker, "exercise_15", seed, ",".join(filter(None, [sizes, "S=0"])), d)
        if dumped is None:
            return False, float("inf")
        index, inputs = dumped
        size = {k: int(v) for k, v in index["sizes"].items()}
        B, T, H = size["B"], size["T"], size["H"]
        print(f"seed {seed}  {json.dumps(index['sizes'])}")
        auto = block(inputs, "a", B, T, H)
        auto.update(block(inputs, "b", B, T, H))
        auto.update(updates(inputs))
        return vs_autograd_all(d, index, auto, TOL_EXACT, TOL_NUMERIC)


def main():
    return run_cases(__doc__.split("\n\n")[1], check, [(0, ""), (1, "B=3,T=7,H=3,D=5")])


if __name__ == "__main__":
    sys.exit(main())
