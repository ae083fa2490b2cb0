#!/usr/bin/env python3
"""The reference solution of exercise 13 (an RNN, BPTT full and truncated) against PyTorch autograd
in float64, from a --dump.

usage: torch_rnn_crosscheck.py CHECKER_BINARY [SEED [SIZES]]   (default: seeds 0 and 1 at the
       default sizes, and seed 2 at N=5,H=7,K=2; SIZES as the checker takes them, "N=5,H=7,K=2")

For each instance: runs `CHECKER exercise_13 --solutions --seed SEED --dump TMP`, rebuilds the RNN in
torch from the dumped parameters and the batch (the x@t, y@t and mask@t of problem a), runs it
twice, as the runner calls the solution: with nothing cut (full BPTT), then with the hidden state
detached (h.detach()) after every K steps, keeps the gradient of every a_t, h_t and logits_t
(retain_grad), and compares each of the 18 gradients of the solution with autograd's, dh on the two
gradient-flow batches (problems e and f: full BPTT, the loss at the last step), and the clipped
gradients and norm of its clip_grad_norm with torch.nn.utils.clip_grad_norm_'s:
    rel = max|a-t| / max(max|a|, max|t|, 1e-300)
(no floor: every one of these gradients is far from a cancellation). Every rel must be <= 1e-10.
As a check of the rebuilt loss, autograd must also agree with the checker's finite differences
(numeric/, the checker's own bar 1e-8 on the same formula), and the loss with torch's
cross_entropy over the real positions. Exit 0 on pass, 1 on failure, 77 (skipped) without numpy
or torch; under CI=true a missing numpy or torch is a failure.
"""
import json
import os
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from needs_torch import np, rel_error, run_cases, solution_dump, torch, vs_autograd  # noqa: E402  (numpy and torch, or the script ends skipped)

TOL_EXACT = 1e-10
TOL_NUMERIC = 1e-8
PARAMS = ("Wxh", "Whh", "bh", "Why", "by", "h0")


def forward(inputs, k, problem="a"):
    """The RNN of exercise 13 over the dumped batch of `problem`, detaching h after steps k, 2k, ...;
    returns the loss, the stacked logits and targets of the real positions, and every gradient by name."""
    p = {n: torch.tensor(inputs[problem + "." + n], dtype=torch.float64, requires_grad=True) for n in PARAMS}
    T = 1
    while ("%s.x@%d" % (problem, T + 1)) in inputs:
        T += 1
    steps = [(inputs["%s.x@%d" % (problem, t)][:, 0].astype(np.int64), inputs["%s.y@%d" % (problem, t)][:, 0].astype(np.int64),
              inputs["%s.mask@%d" % (problem, t)][:, 0]) for t in range(1, T + 1)]
    N = steps[0][0].shape[0]
    count = sum(m.sum() for _, _, m in steps)
    h = p["h0"].expand(N, -1)
    a_s, h_s, z_s = [], [], []
    loss = 0
    for t, (x, y, m) in enumerate(steps, start=1):
        if t > 1 and (t - 1) % k == 0:
            h = h.detach()
        a = p["Wxh"][torch.from_numpy(x)] + h @ p["Whh"] + p["bh"]
        h = torch.tanh(a)
        z = h @ p["Why"] + p["by"]
        for v in (a, h, z):
            v.retain_grad()
        a_s.append(a), h_s.append(h), z_s.append(z)
        nll = torch.nn.functional.cross_entropy(z, torch.from_numpy(y), reduction="none")
        loss = loss + (nll * torch.from_numpy(m)).sum()
    loss = loss / count
    loss.backward()
    grads = {"d" + n: p[n].grad.numpy() for n in PARAMS}
    grads["da"] = torch.cat([v.grad for v in a_s]).numpy()
    grads["dh"] = torch.cat([v.grad for v in h_s]).numpy()
    grads["dlogits"] = torch.cat([v.grad for v in z_s]).numpy()
    logits = torch.cat(z_s).detach()
    targets = np.concatenate([y for _, y, _ in steps])
    mask = np.concatenate([m for _, _, m in steps])
    return loss.item(), logits, targets, mask, grads, T



def check(checker, seed, sizes):
    with tempfile.TemporaryDirectory(prefix="bpdojo_torch_rnn_") as d:
        dumped = solution_dump(checker, "exercise_13", seed, sizes, d, "--size", "S=0")  # no training
        if dumped is None:
            return False, float("inf")
        index, inputs = dumped
        K = int(index["sizes"]["K"])
        entries = {g["name"]: g for g in index["gradients"]}
        ok, worst = True, 0.0

        def compare(name, t):
            """The solution's gradient `name` and the checker's numeric one against autograd's t."""
            nonlocal ok, worst
            g = entries.get(name)
            if not g or not g["yours"]:
                print(f"  {name}: not in the dump")
                ok = False
                return
            passed, rel = vs_autograd(d, name, g, t, TOL_EXACT, TOL_NUMERIC)
            worst = max(worst, rel)
            ok &= passed

        for prefix, truncated in (("", False), ("trunc.", True)):
            loss, logits, targets, mask, auto, T = forward(inputs, K if truncated else 10**9)
            print(f"seed {seed}  {json.dumps(index['sizes'])}  T={T}  {'truncated every %d' % K if truncated else 'full'}"
                  f"  loss {loss:.12f}")
            for name, t in auto.items():
                compare(prefix + name, t)
            real = mask > 0
            ce = torch.nn.functional.cross_entropy(logits[torch.from_numpy(real)],
                                                   torch.from_numpy(targets[real])).item()
            if abs(ce - loss) > TOL_EXACT * abs(ce):
                print(f"  loss {loss!r} against cross_entropy over the real positions {ce!r}  FAIL")
                ok = False
        # The gradient flow (problems e and f): windows whose loss is at the last step alone, Whh
        # small and large; dh is the one gradient judged there.
        for problem, prefix in (("e", "vanish."), ("f", "explode.")):
            compare(prefix + "dh", forward(inputs, 10**9, problem)[4]["dh"])
        # Clipping: the solution's clip_grad_norm against torch.nn.utils.clip_grad_norm_ on the same
        # gradients (problems c and d), with max_norm 0.4 and 1.5 times their norm 0.25 (the header).
        for problem, prefix, max_norm in (("c", "clip.", 0.1), ("d", "noclip.", 0.375)):
            grads = [torch.tensor(inputs[f"{problem}.G{n}"], dtype=torch.float64, requires_grad=True) for n in PARAMS]
            for g in grads:
                g.grad = g.detach().clone()
            total = torch.nn.utils.clip_grad_norm_(grads, max_norm).item()
            rows = [(prefix + "d" + n, g.grad.numpy()) for n, g in zip(PARAMS, grads)]
            if prefix == "clip.":
                rows.append(("clip.total_norm", np.array([[total]])))
            for name, t in rows:
                g = entries.get(name)
                if not g or not g["yours"]:
                    print(f"  {name}: not in the dump")
                    ok = False
                    continue
                a = np.load(os.path.join(d, g["yours"])).reshape(t.shape)
                rel = rel_error(a, t)
                worst = max(worst, rel)
                bad = rel > TOL_EXACT
                ok &= not bad
                print(f"  {name:<16} {str(t.shape):<10} vs clip_grad_norm_ {rel:.1e}{'  FAIL' if bad else ''}")
        print(f"  worst rel vs autograd and clip_grad_norm_ {worst:.1e} (<= {TOL_EXACT:g}): {'pass' if ok else 'FAIL'}")
        return ok, worst


def main():
    return run_cases(__doc__.split("\n\n")[1], check, [(0, ""), (1, ""), (2, "N=5,H=7,K=2")])


if __name__ == "__main__":
    sys.exit(main())
