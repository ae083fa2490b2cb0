#!/usr/bin/env python3
"""The reference solution of exercise 06 against PyTorch autograd, in float64, from a --dump.

usage: torch_crosscheck.py CHECKER_BINARY [SEED]   (default: seeds 0 and 1)

For each seed: runs `CHECKER exercise_06 --solutions --seed SEED --dump TMP`, reruns the forward
pass of workbook/internal/bpdojo/mlp_model.hpp step by step in torch from the dumped inputs, keeps the gradient
of every intermediate (retain_grad) and compares each of the 26 gradients of the solution with
autograd's:
    rel = max|a-t| / max(max|a|, max|t|, floor),  floor = 1e-3 * the largest max|t| of the 26
with a = the solution's gradient, t = autograd's. Every rel must be <= 1e-10. As a sanity check
of the recomputed loss, autograd must also agree with the checker's finite differences
(numeric/, rel <= 1e-8), and the step-by-step loss with torch's own cross-entropy.
Exit 0 on pass, 1 on failure, 77 (skipped) without numpy or torch; under CI=true a missing
numpy or torch is a failure (exit 1), since a skip would hide that the check never ran.
"""
import json
import os
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from needs_torch import np, rel_error, solution_dump, torch  # noqa: E402  (numpy and torch, or the script ends skipped)

TOL_EXACT = 1e-10  # the solution against autograd: both are exact up to rounding
TOL_NUMERIC = 1e-8  # autograd against the checker's finite differences (the checker's threshold)
EPS = 1e-5  # batch norm's epsilon (kBnEps)


def forward(inputs):
    """The forward pass of exercise 06, one named intermediate at a time, as in the lecture."""
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=k not in ("Xb", "Yb")) for k, v in inputs.items()}
    Xb, Yb = t["Xb"].long(), t["Yb"][:, 0].long()
    C, W1, b1, bngain, bnbias, W2, b2 = (t[k] for k in ("C", "W1", "b1", "bngain", "bnbias", "W2", "b2"))
    n = Xb.shape[0]
    nodes = {}
    nodes["emb"] = emb = C[Xb]  # (N,3,10)
    nodes["embcat"] = embcat = emb.view(n, -1)  # (N,30)
    nodes["hprebn"] = hprebn = embcat @ W1 + b1
    nodes["bnmeani"] = bnmeani = 1 / n * hprebn.sum(0, keepdim=True)
    nodes["bndiff"] = bndiff = hprebn - bnmeani
    nodes["bndiff2"] = bndiff2 = bndiff**2
    nodes["bnvar"] = bnvar = 1 / (n - 1) * bndiff2.sum(0, keepdim=True)  # Bessel's correction
    nodes["bnvar_inv"] = bnvar_inv = (bnvar + EPS) ** -0.5
    nodes["bnraw"] = bnraw = bndiff * bnvar_inv
    nodes["hpreact"] = hpreact = bngain * bnraw + bnbias
    nodes["h"] = h = torch.tanh(hpreact)
    nodes["logits"] = logits = h @ W2 + b2
    nodes["logit_maxes"] = logit_maxes = logits.max(1, keepdim=True).values
    nodes["norm_logits"] = norm_logits = logits - logit_maxes
    nodes["counts"] = counts = norm_logits.exp()
    nodes["counts_sum"] = counts_sum = counts.sum(1, keepdim=True)
    nodes["counts_sum_inv"] = counts_sum_inv = counts_sum**-1
    nodes["probs"] = probs = counts * counts_sum_inv
    nodes["logprobs"] = logprobs = probs.log()
    loss = -logprobs[range(n), Yb].mean()
    for v in nodes.values():
        v.retain_grad()
    loss.backward()
    grads = {"d" + k: v.grad for k, v in nodes.items()}
    grads.update({"d" + k: t[k].grad for k in ("C", "W1", "b1", "bngain", "bnbias", "W2", "b2")})
    return loss, logits.detach(), Yb, grads



def check(checker, seed):
    """Returns (passed, worst rel against autograd) for one seed."""
    with tempfile.TemporaryDirectory(prefix="bpdojo_torch_") as d:
        dumped = solution_dump(checker, "exercise_06", seed, "", d)
        if dumped is None:
            return False, float("inf")
        index, inputs = dumped
        loss, logits, Yb, auto = forward(inputs)
        entries = index["gradients"]
        missing = [g["name"] for g in entries if not g["yours"] or g["name"] not in auto]
        if len(entries) != 26 or missing:
            print(f"seed {seed}: expected 26 gradients, all set and known; got {len(entries)}, missing {missing}")
            return False, float("inf")
        auto = {k: v.numpy() for k, v in auto.items()}
        floor = 1e-3 * max(np.abs(auto[g["name"]]).max() for g in entries)

        ok, worst = True, 0.0
        print(f"seed {seed}  N={index['sizes']['N']} H={index['sizes']['H']}  loss {loss.item():.12f}  "
              f"floor {floor:.2e}")
        print(f"  {'gradient':<16} {'shape':<12} {'rel vs autograd':>16} {'rel numeric':>12}")
        for g in entries:
            name, t = g["name"], auto[g["name"]]
            a = np.load(os.path.join(d, g["yours"]))
            num = np.load(os.path.join(d, g["numeric"]))
            if a.size != t.size or num.shape != t.shape:
                print(f"  {name}: shapes yours {a.shape}, numeric {num.shape}, autograd {t.shape}")
                ok = False
                continue
            rel = rel_error(a.reshape(t.shape), t, floor)
            rel_num = rel_error(num, t, floor)
            worst = max(worst, rel)
            bad = rel > TOL_EXACT or rel_num > TOL_NUMERIC
            ok &= not bad
            shape = "(" + ", ".join(map(str, t.shape)) + ")"
            print(f"  {name:<16} {shape:<12} {rel:>16.1e} {rel_num:>12.1e}{'  FAIL' if bad else ''}")

        # The loss, two ways: step by step (above) and torch's fused cross-entropy.
        fused = torch.nn.functional.cross_entropy(logits, Yb).item()
        loss_rel = abs(fused - loss.item()) / abs(fused)
        if loss_rel > TOL_EXACT:
            print(f"  loss: step by step {loss.item()!r}, cross_entropy {fused!r}: rel {loss_rel:.1e}  FAIL")
            ok = False
        print(f"  worst rel vs autograd {worst:.1e} (<= {TOL_EXACT:g}), loss vs cross_entropy {loss_rel:.1e}: "
              f"{'pass' if ok else 'FAIL'}")
        return ok, worst


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    seeds = [int(sys.argv[2])] if len(sys.argv) == 3 else [0, 1]
    results = [check(sys.argv[1], s) for s in seeds]
    print(f"worst rel over seeds {seeds}: {max(w for _, w in results):.1e}")
    return 0 if all(ok for ok, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
