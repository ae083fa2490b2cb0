#!/usr/bin/env python3
"""torch.autograd.gradcheck on the network of exercise 06, timed; the peer of bench_fd.

usage: gradcheck_torch.py DUMP_DIR [REPEAT]   (DUMP_DIR from `checker exercise_06 --dump`; REPEAT 3)

The inputs of gradcheck are the parameters C, W1, b1, bngain, bnbias, W2, b2 (float64, from the
dump), Xb and Yb are fixed. Default settings: slow mode (every element perturbed, central
differences), eps 1e-6. One thread. Prints one line of JSON: the median seconds of a gradcheck,
every run, the forward evaluations of one gradcheck and whether it passed.
"""
import json
import os
import statistics
import sys
import time

import numpy as np
import torch

torch.set_num_threads(1)

PARAMS = ("C", "W1", "b1", "bngain", "bnbias", "W2", "b2")
EPS = 1e-5  # batch norm's epsilon (kBnEps)


def main():
    d = sys.argv[1]
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    index = json.load(open(os.path.join(d, "index.json")))
    inputs = {e["name"]: np.load(os.path.join(d, e["file"])) for e in index["inputs"]}
    Xb = torch.tensor(inputs["Xb"]).long()
    Yb = torch.tensor(inputs["Yb"][:, 0]).long()
    n = Xb.shape[0]
    params = tuple(torch.tensor(inputs[k], dtype=torch.float64, requires_grad=True) for k in PARAMS)
    calls = [0]

    # The forward pass of workbook/internal/bpdojo/mlp_model.hpp, step by step as the checker runs it.
    def loss_fn(C, W1, b1, bngain, bnbias, W2, b2):
        calls[0] += 1
        embcat = C[Xb].view(n, -1)
        hprebn = embcat @ W1 + b1
        bnmeani = 1 / n * hprebn.sum(0, keepdim=True)
        bndiff = hprebn - bnmeani
        bndiff2 = bndiff**2
        bnvar = 1 / (n - 1) * bndiff2.sum(0, keepdim=True)
        bnvar_inv = (bnvar + EPS) ** -0.5
        bnraw = bndiff * bnvar_inv
        hpreact = bngain * bnraw + bnbias
        h = torch.tanh(hpreact)
        logits = h @ W2 + b2
        logit_maxes = logits.max(1, keepdim=True).values
        norm_logits = logits - logit_maxes
        counts = norm_logits.exp()
        counts_sum = counts.sum(1, keepdim=True)
        counts_sum_inv = counts_sum**-1
        probs = counts * counts_sum_inv
        logprobs = probs.log()
        return -logprobs[range(n), Yb].mean()

    times, passed = [], True
    for _ in range(repeat):
        calls[0] = 0
        start = time.perf_counter()
        passed &= torch.autograd.gradcheck(loss_fn, params, fast_mode=False, raise_exception=False)
        times.append(time.perf_counter() - start)
    print(json.dumps({
        "gradcheck_seconds": statistics.median(times),
        "runs": times,
        "evaluations": calls[0],
        "parameters": sum(p.numel() for p in params),
        "passed": bool(passed),
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
    }))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
