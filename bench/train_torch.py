#!/usr/bin/env python3
"""Exercise 08's training run with PyTorch autograd: the peer of `checker exercise_08`.

usage: train_torch.py --dump DIR [--steps S] [--lr LR] [--batch N] [--seed K] [--threads T]
                      [--forward lecture|steps] [--json OUT]

DIR comes from `checker exercise_08 --solutions --steps 0 --hidden H --dump DIR`: the initial
parameters of that seed and H (inputs/a.C.npy ... a.b2.npy, float64) and the names of each split
(split/train.txt, dev.txt, test.txt). Everything else is rebuilt here as the workbook builds it:
the vocabulary ('.' = 0, then every character of the three splits, sorted) and the examples
(block size 3, contexts padded with '.').

The network is workbook/src/mlp.cpp's, in float64: C[Xb] viewed as (N,30), @ W1 + b1, batch norm
over the batch with Bessel's variance (divide by N-1) and eps 1e-5, bngain/bnbias, tanh, @ W2 + b2,
mean softmax cross-entropy. `--forward lecture` (default) writes it as the lecture's exercise 4 does
(hprebn.var(0, unbiased=True), F.cross_entropy); `--forward steps` as the step-by-step cache of
mlp.cpp (bnmeani, bndiff, bndiff2, ..., counts, probs, logprobs), the same function with more nodes
for autograd. The gradients come from loss.backward(), the update is plain SGD,
p.data -= lr * p.grad, with lr for the first half of the steps and lr/10 after (as
workbook/problems/exercise_08_train.cpp: step < S/2). Batches of N are drawn uniformly with replacement
from the training split by a torch.Generator seeded with --seed (other draws than the workbook's).

After training, batch norm's mean and (Bessel) variance are calibrated over the whole training
split, and train, dev and test loss are computed with them, as checker/src/judge/training.cpp does.
Before training, two checks that the data and parameters are the checker's: the losses of the
initial parameters as the checker's checkpoint 0 computes them (batch norm calibrated on the first
4096 training examples; compare with "train_curve"[0] and "dev_curve"[0] of the dump run's --json),
and, if the dump holds them, autograd's gradients at the dump's batch against the checker's finite
differences (numeric/init.d*.npy; the largest difference over the seven, relative to the largest
gradient).

Prints the training loop's steps per second (time.perf_counter around the loop alone) and the
final losses; --json OUT writes them all to OUT.
"""
import argparse
import json
import os
import platform
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

PARAMS = ("C", "W1", "b1", "bngain", "bnbias", "W2", "b2")
EPS = 1e-5         # batch norm's epsilon (kBnEps)
BLOCK = 3          # characters of context (kBlockSize)
CURVE_SAMPLE = 4096  # training examples of the checker's loss curve (kCurveSample)
CHUNK = 4096       # rows per chunk in the evaluation (as mlp.cpp; memory only)


def read_split(d, name):
    with open(os.path.join(d, "split", name + ".txt"), encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f if line.rstrip("\n")]


def examples(names, stoi):
    X, Y = [], []
    for name in names:
        context = [0] * BLOCK
        for ch in list(name) + ["."]:
            ix = stoi[ch]
            X.append(context)
            Y.append(ix)
            context = context[1:] + [ix]
    return torch.tensor(X, dtype=torch.long), torch.tensor(Y, dtype=torch.long)


def forward_lecture(p, Xb, Yb):
    n = Xb.shape[0]
    embcat = p["C"][Xb].view(n, -1)
    hprebn = embcat @ p["W1"] + p["b1"]
    bnmean = hprebn.mean(0, keepdim=True)
    bnvar = hprebn.var(0, keepdim=True, unbiased=True)
    bnvar_inv = (bnvar + EPS) ** -0.5
    bnraw = (hprebn - bnmean) * bnvar_inv
    hpreact = p["bngain"] * bnraw + p["bnbias"]
    h = torch.tanh(hpreact)
    logits = h @ p["W2"] + p["b2"]
    return F.cross_entropy(logits, Yb)


def forward_steps(p, Xb, Yb):
    n = Xb.shape[0]
    embcat = p["C"][Xb].view(n, -1)
    hprebn = embcat @ p["W1"] + p["b1"]
    bnmeani = 1.0 / n * hprebn.sum(0, keepdim=True)
    bndiff = hprebn - bnmeani
    bndiff2 = bndiff ** 2
    bnvar = 1.0 / (n - 1) * bndiff2.sum(0, keepdim=True)
    bnvar_inv = (bnvar + EPS) ** -0.5
    bnraw = bndiff * bnvar_inv
    hpreact = p["bngain"] * bnraw + p["bnbias"]
    h = torch.tanh(hpreact)
    logits = h @ p["W2"] + p["b2"]
    logit_maxes = logits.max(1, keepdim=True).values
    norm_logits = logits - logit_maxes
    counts = norm_logits.exp()
    counts_sum = counts.sum(1, keepdim=True)
    counts_sum_inv = counts_sum ** -1
    probs = counts * counts_sum_inv
    logprobs = probs.log()
    return -logprobs[torch.arange(n), Yb].mean()


@torch.no_grad()
def hprebn_of(p, X):
    return p["C"][X].view(X.shape[0], -1) @ p["W1"] + p["b1"]


@torch.no_grad()
def bn_calibrate(p, X):
    """Batch norm's mean and Bessel variance over X: two passes, as bn_calibrate in mlp.cpp."""
    n = X.shape[0]
    mean = sum(hprebn_of(p, X[i:i + CHUNK]).sum(0, keepdim=True) for i in range(0, n, CHUNK)) / n
    var = sum(((hprebn_of(p, X[i:i + CHUNK]) - mean) ** 2).sum(0, keepdim=True) for i in range(0, n, CHUNK)) / (n - 1)
    return mean, var


@torch.no_grad()
def eval_loss(p, bn, X, Y):
    mean, var = bn
    total = 0.0
    for i in range(0, X.shape[0], CHUNK):
        hpreact = p["bngain"] * (hprebn_of(p, X[i:i + CHUNK]) - mean) * (var + EPS) ** -0.5 + p["bnbias"]
        logits = torch.tanh(hpreact) @ p["W2"] + p["b2"]
        total += F.cross_entropy(logits, Y[i:i + CHUNK], reduction="sum").item()
    return total / X.shape[0]


def dump_gradient_check(d, params, forward):
    """Autograd at the dump's batch (a.Xb, a.Yb) against the checker's finite differences."""
    index = json.load(open(os.path.join(d, "index.json")))
    files = {e["name"]: e["file"] for e in index["inputs"]}
    if "a.Xb" not in files or "a.Yb" not in files:
        return None
    Xb = torch.tensor(np.load(os.path.join(d, files["a.Xb"]))).long()
    Yb = torch.tensor(np.load(os.path.join(d, files["a.Yb"]))[:, 0]).long()
    p = {k: v.detach().clone().requires_grad_(True) for k, v in params.items()}
    forward(p, Xb, Yb).backward()
    # The largest difference over the seven, relative to the largest gradient (db1 is zero up to
    # rounding, so a relative error per tensor would measure rounding noise against rounding noise).
    diff = scale = 0.0
    for g in index.get("gradients", []):
        if not g["name"].startswith("init.d") or not g.get("numeric"):
            continue
        numeric = torch.tensor(np.load(os.path.join(d, g["numeric"])))
        ours = p[g["name"][len("init.d"):]].grad
        diff = max(diff, (ours - numeric.view_as(ours)).abs().max().item())
        scale = max(scale, ours.abs().max().item(), numeric.abs().max().item())
    return diff / scale if scale > 0 else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dump", required=True, help="a `checker exercise_08 --solutions --steps 0 --hidden H --dump DIR`")
    ap.add_argument("--steps", type=int, default=20000)
    ap.add_argument("--lr", type=float, default=0.1, help="for the first half of the steps; lr/10 after")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seed", type=int, default=0, help="seeds the torch.Generator of the batches")
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    ap.add_argument("--forward", choices=("lecture", "steps"), default="lecture")
    ap.add_argument("--json", metavar="OUT", help="write the figures to OUT")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    forward = forward_lecture if args.forward == "lecture" else forward_steps

    d = args.dump
    splits = {s: read_split(d, s) for s in ("train", "dev", "test")}
    chars = sorted({ch for names in splits.values() for name in names for ch in name})
    stoi = {ch: i + 1 for i, ch in enumerate(chars)}
    stoi["."] = 0
    data = {s: examples(names, stoi) for s, names in splits.items()}
    Xtr, Ytr = data["train"]
    params = {k: torch.tensor(np.load(os.path.join(d, "inputs", f"a.{k}.npy")), dtype=torch.float64) for k in PARAMS}
    V, H = params["C"].shape[0], params["W1"].shape[1]
    if V != len(stoi):
        sys.exit(f"train_torch: the dump's C has {V} rows, the splits {len(stoi)} characters")

    # The checker's checkpoint 0, and autograd against the checker's finite differences.
    bn0 = bn_calibrate(params, Xtr[:CURVE_SAMPLE])
    init = {"train_4096": eval_loss(params, bn0, Xtr[:CURVE_SAMPLE], Ytr[:CURVE_SAMPLE]),
            "dev": eval_loss(params, bn0, *data["dev"])}
    grad_check = dump_gradient_check(d, params, forward)

    for p in params.values():
        p.requires_grad_(True)
    plist = list(params.values())
    g = torch.Generator().manual_seed(args.seed)
    n_train, S, N = Xtr.shape[0], args.steps, args.batch
    marks = sorted({0} | {S * i // min(20, S) for i in range(1, min(20, S) + 1)}) if S else [0]
    batch_losses = {}
    start = time.perf_counter()
    for t in range(S):
        ix = torch.randint(0, n_train, (N,), generator=g)
        loss = forward(params, Xtr[ix], Ytr[ix])
        for p in plist:
            p.grad = None
        loss.backward()
        lr = args.lr if t < S // 2 else args.lr / 10
        for p in plist:
            p.data -= lr * p.grad
        if t in marks:
            batch_losses[t] = loss.item()
    seconds = time.perf_counter() - start
    for p in plist:
        p.requires_grad_(False)

    bn = bn_calibrate(params, Xtr)
    losses = {f"{s}_loss": eval_loss(params, bn, *data[s]) for s in ("train", "dev", "test")}
    rate = S / seconds if seconds > 0 else float("nan")
    print(f"train_torch: {S} steps, N={N}, H={H}, lr {args.lr:g} then {args.lr / 10:g} from step {S // 2}, "
          f"{torch.get_num_threads()} thread(s), forward '{args.forward}', torch {torch.__version__}")
    print(f"  initial parameters (checker's checkpoint 0): train[:4096] {init['train_4096']:.4f}  dev {init['dev']:.4f}"
          + ("" if grad_check is None else f"   autograd vs the dump's finite differences: rel.err {grad_check:.1e}"))
    print(f"  training loop: {seconds:.3f} s, {rate:.1f} steps/s")
    print(f"  after training, batch norm calibrated over the training split: "
          f"train {losses['train_loss']:.4f}  dev {losses['dev_loss']:.4f}  test {losses['test_loss']:.4f}")
    if args.json:
        cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")),
                   platform.machine())
        with open(args.json, "w") as f:
            json.dump({"dump": os.path.abspath(d), "steps": S, "lr": args.lr, "batch": N, "hidden": H, "vocab": V,
                       "seed": args.seed, "threads": torch.get_num_threads(), "forward": args.forward,
                       "torch": torch.__version__, "cpu": cpu, "train_seconds": seconds, "steps_per_second": rate,
                       "initial": init, "gradient_check_rel_error": grad_check,
                       "batch_loss": {str(k): v for k, v in sorted(batch_losses.items())}, **losses}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
