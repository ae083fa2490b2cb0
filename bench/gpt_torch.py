#!/usr/bin/env python3
"""Exercise 15's training run with PyTorch autograd: the peer of the reference runner's.

usage: gpt_torch.py PROTOCOL NAMES [--steps S] [--lr LR] [--threads T]

PROTOCOL is the output of `build/solutions/exercise_15 --seed K --size S=1` (any run that trains):
its checkpoint 0, the tensors step.0.wte ... step.0.lmb, are the initial parameters used here, so
both start from the same point. NAMES is data/names.txt; the training split is rebuilt as the
workbook's (its first 80%, after the workbook's shuffle, is not reproduced: the batches are drawn by
torch.Generator from every name, which changes what a step sees, not what it costs).

The block is exercise 15's in float64: wte[x] + wpe, F.layer_norm (eps 1e-5), GPT-2's causal
self-attention (4 heads), F.gelu(approximate="tanh"), the MLP 4C, a final layer norm, logits;
F.cross_entropy masked over the padding; loss.backward(); p.data -= lr * p.grad (lr, then lr/10
from the middle step). Batches of 32 whole names padded to the longest, as the workbook's. Prints
the steps per second of the training loop alone (time.perf_counter), and the last batch losses.
"""
import argparse
import sys
import time

import torch

F = torch.nn.functional
PARAMS = ("wte", "wpe", "ln1w", "ln1b", "attnw", "attnb", "attprojw", "attprojb", "ln2w", "ln2b", "fcw", "fcb",
          "fcprojw", "fcprojb", "lnfw", "lnfb", "lmw", "lmb")


def read_params(path):
    out = {}
    with open(path, errors="replace") as f:
        for line in f:
            parts = line.split()
            if len(parts) > 4 and parts[0] == "tensor" and parts[1].startswith("step.0."):
                rows, cols = int(parts[3]), int(parts[4])
                vals = [float(v) for v in parts[5:5 + rows * cols]]
                out[parts[1][len("step.0."):]] = torch.tensor(vals, dtype=torch.float64).view(rows, cols)
    missing = [p for p in PARAMS if p not in out]
    if missing:
        sys.exit(f"gpt_torch: {path} has no step.0 tensors for {missing}")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("protocol")
    ap.add_argument("names")
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--lr", type=float, default=1.0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--heads", type=int, default=4)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    p = {k: v.clone().requires_grad_() for k, v in read_params(a.protocol).items()}
    words = [w.strip() for w in open(a.names) if w.strip()]
    chars = sorted(set("".join(words)))
    stoi = {c: i + 1 for i, c in enumerate(chars)}
    enc = [[stoi[c] for c in w] for w in words]
    C = p["wte"].shape[1]
    H = a.heads
    D = C // H
    g = torch.Generator().manual_seed(0)

    def batch():
        pick = torch.randint(len(enc), (32,), generator=g).tolist()
        T = max(len(enc[i]) for i in pick) + 1
        x = torch.zeros(32, T, dtype=torch.long)
        y = torch.zeros(32, T, dtype=torch.long)
        m = torch.zeros(32, T, dtype=torch.float64)
        for b, i in enumerate(pick):
            w = enc[i]
            x[b, 1:len(w) + 1] = torch.tensor(w, dtype=torch.long)
            y[b, :len(w)] = torch.tensor(w, dtype=torch.long)
            m[b, :len(w) + 1] = 1.0
        return x, y, m

    def loss_of(x, y, m):
        B, T = x.shape
        ln = lambda t, w, b: F.layer_norm(t, (C,), w[0], b[0], eps=1e-5)  # noqa: E731
        e = p["wte"][x] + p["wpe"][:T]
        qkv = ln(e, p["ln1w"], p["ln1b"]) @ p["attnw"] + p["attnb"]
        q, k, v = (t.view(B, T, H, D).transpose(1, 2) for t in qkv.split(C, dim=2))
        s = q @ k.transpose(-2, -1) / D ** 0.5
        s = s.masked_fill(~torch.tril(torch.ones(T, T, dtype=torch.bool)), float("-inf"))
        yv = (torch.softmax(s, dim=-1) @ v).transpose(1, 2).contiguous().view(B, T, C)
        r2 = e + yv @ p["attprojw"] + p["attprojb"]
        h = F.gelu(ln(r2, p["ln2w"], p["ln2b"]) @ p["fcw"] + p["fcb"], approximate="tanh")
        r3 = r2 + h @ p["fcprojw"] + p["fcprojb"]
        logits = ln(r3, p["lnfw"], p["lnfb"]) @ p["lmw"] + p["lmb"]
        nll = F.cross_entropy(logits.view(B * T, -1), y.view(-1), reduction="none")
        return (nll * m.view(-1)).sum() / m.sum()

    batches = [batch() for _ in range(a.steps)]  # drawn before the clock starts
    losses = []
    start = time.perf_counter()
    for t in range(a.steps):
        loss = loss_of(*batches[t])
        for v in p.values():
            v.grad = None
        loss.backward()
        lr = a.lr if t < a.steps // 2 else a.lr / 10
        with torch.no_grad():
            for v in p.values():
                v -= lr * v.grad
        losses.append(loss.item())
    seconds = time.perf_counter() - start
    print(f"torch: {a.steps} steps in {seconds:.2f} s, {a.steps / seconds:.1f} steps/s ({a.threads} thread), "
          f"last losses {sum(losses[-100:]) / len(losses[-100:]):.4f} (mean of the last 100 batches)")


if __name__ == "__main__":
    main()
