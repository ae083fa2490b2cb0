#!/usr/bin/env python3
"""The reference solution of exercise 14 (causal self-attention: one head step by step, then H heads
as GPT-2's layer) against PyTorch autograd in float64, from a --dump.

usage: torch_attention_crosscheck.py CHECKER_BINARY [SEED [SIZES]]   (default: seed 0 at the
       default sizes, and seed 1 at B=3,T=5,H=3,D=2; SIZES as the checker takes them, "B=3,T=5")

For each instance: runs `CHECKER exercise_14 --solutions --seed SEED --dump TMP` and rebuilds both
parts in torch from the dumped leaves, sequence by sequence (a.x@b, b.x@b) and the upstream
gradients (a.G@b, b.G@b). Part 1 (problem a) as its steps: q, k, v = x Wq, x Wk, x Wv, the scores
q k^T / sqrt(D), e = exp(scores - maxes) times the causal mask, esum, att = e / esum, y = att v, out = y Wo + bo.
Part 2 (problem b) as GPT-2's CausalSelfAttention writes it, independently of the workbook's
layout: qkv = x W_attn + b_attn split into q, k, v, each .view(B, T, H, D).transpose(1, 2), the
scores masked_fill(-inf) above the diagonal and softmax, y transposed back to (B, T, C), then c_proj.
Every intermediate keeps its gradient (retain_grad), and each of the 23 gradients of the solution is
compared with autograd's:
    rel = max|a-t| / max(max|a|, max|t|, 1e-300)
Every rel must be <= 1e-10; the masked scores' gradients must be exactly 0 in both; and autograd
must agree with the checker's finite differences (numeric/, the checker's own bar 1e-8), a check
of the rebuilt loss. Exit 0 on pass, 1 on failure, 77 (skipped) without numpy or torch; under
CI=true a missing numpy or torch is a failure.
"""
import json
import math
import os
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from needs_torch import run_cases, solution_dump, torch, vs_autograd_all  # noqa: E402  (numpy and torch, or the script ends skipped)

TOL_EXACT = 1e-10
TOL_NUMERIC = 1e-8


def leaf(inputs, name):
    return torch.tensor(inputs[name], dtype=torch.float64, requires_grad=True)


def sequences(inputs, problem, name, B):
    return [torch.tensor(inputs["%s.%s@%d" % (problem, name, b)], dtype=torch.float64) for b in range(1, B + 1)]


def keep(*tensors):
    for t in tensors:
        t.retain_grad()


def single_head(inputs, B, T):
    """Part 1, step by step; every gradient by the name the solution reports it under."""
    p = {n: leaf(inputs, "a." + n) for n in ("Wq", "Wk", "Wv", "Wo", "bo")}
    x = torch.stack(sequences(inputs, "a", "x", B)).requires_grad_()  # (B,T,C)
    G = torch.stack(sequences(inputs, "a", "G", B))
    D = p["Wq"].shape[1]
    mask = torch.tril(torch.ones(T, T, dtype=torch.float64))
    q, k, v = x @ p["Wq"], x @ p["Wk"], x @ p["Wv"]
    scores = q @ k.transpose(1, 2) / math.sqrt(D)
    # maxes: each row's largest score over s <= t, data of the instance (a constant that cancels in
    # att), here checked against the scores it was taken from
    maxes = torch.stack(sequences(inputs, "a", "maxes", B))  # (B,T,1)
    top = scores.detach().masked_fill(mask == 0, float("-inf")).max(dim=2, keepdim=True).values
    assert torch.equal(maxes, top) or float((maxes - top).abs().max()) < 1e-14, "maxes are not the rows' largest scores"
    e = torch.exp(scores - maxes) * mask
    esum = e.sum(dim=2, keepdim=True)
    att = e / esum
    y = att @ v
    out = y @ p["Wo"] + p["bo"]
    keep(q, k, v, scores, e, esum, att, y)
    (out * G).sum().backward()
    flat = lambda t: t.grad.reshape(B * T, -1).numpy()  # noqa: E731
    grads = {"dy": flat(y), "datt": flat(att), "dv": flat(v), "desum": flat(esum), "de": flat(e),
             "dscores": flat(scores), "dq": flat(q), "dk": flat(k), "dx": flat(x)}
    grads.update({"d" + n: p[n].grad.numpy() for n in ("Wo", "bo", "Wq", "Wk", "Wv")})
    return grads, scores.grad


def multi_head(inputs, B, T, H):
    """Part 2 as GPT-2's CausalSelfAttention; gradients named as the solution's (mh.*)."""
    p = {n: leaf(inputs, "b." + n) for n in ("W_attn", "b_attn", "W_proj", "b_proj")}
    x = torch.stack(sequences(inputs, "b", "x", B)).requires_grad_()  # (B,T,C)
    G = torch.stack(sequences(inputs, "b", "G", B))
    C = x.shape[2]
    D = C // H
    qkv = x @ p["W_attn"] + p["b_attn"]
    q, k, v = qkv.split(C, dim=2)
    q, k, v = (t.view(B, T, H, D).transpose(1, 2) for t in (q, k, v))  # (B,H,T,D)
    scores = q @ k.transpose(-2, -1) / math.sqrt(D)
    causal = torch.tril(torch.ones(T, T, dtype=torch.bool))
    att = torch.softmax(scores.masked_fill(~causal, float("-inf")), dim=-1)
    y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
    out = y @ p["W_proj"] + p["b_proj"]
    keep(qkv, scores, att, y)
    (out * G).sum().backward()
    grads = {"mh.dy": y.grad.reshape(B * T, C).numpy(), "mh.datt": att.grad.reshape(B * H * T, T).numpy(),
             "mh.dscores": scores.grad.reshape(B * H * T, T).numpy(), "mh.dqkv": qkv.grad.reshape(B * T, 3 * C).numpy(),
             "mh.dx": x.grad.reshape(B * T, C).numpy()}
    grads.update({"mh.d" + n: p[n].grad.numpy() for n in ("W_proj", "b_proj", "W_attn", "b_attn")})
    return grads, scores.grad



def check(checker, seed, sizes):
    with tempfile.TemporaryDirectory(prefix="bpdojo_torch_attention_") as d:
        dumped = solution_dump(checker, "exercise_14", seed, sizes, d)
        if dumped is None:
            return False, float("inf")
        index, inputs = dumped
        size = {k: int(v) for k, v in index["sizes"].items()}
        B, T, H = size["B"], size["T"], size["H"]
        print(f"seed {seed}  {json.dumps(index['sizes'])}")
        auto, scores_a = single_head(inputs, B, T)
        more, scores_b = multi_head(inputs, B, T, H)
        auto.update(more)
        ok = True
        # The masked scores: exactly 0 in autograd's, by the product with the mask (Part 1) and by
        # masked_fill (Part 2).
        upper = ~torch.tril(torch.ones(T, T, dtype=torch.bool))
        for name, g in (("dscores", scores_a), ("mh.dscores", scores_b)):
            if T > 1 and bool((g[..., upper] != 0).any()):
                print(f"  {name}: autograd's gradient is not 0 at a masked position  FAIL")
                ok = False

        def masked_nonzero(a):
            """The solution's dscores are not exactly 0 where the mask is."""
            return bool((a.reshape(-1, T, T)[:, upper.numpy()] != 0).any())

        return vs_autograd_all(d, index, auto, TOL_EXACT, TOL_NUMERIC, width=12, ok=ok,
                               also_bad=lambda name: masked_nonzero if name.endswith("dscores") else None)


def main():
    return run_cases(__doc__.split("\n\n")[1], check, [(0, ""), (1, "B=3,T=5,H=3,D=2")])


if __name__ == "__main__":
    sys.exit(main())
