#!/usr/bin/env python3
"""Reads a --dump of exercise 04 and recomputes the fused gradient from the dumped inputs alone.

usage: check_dump.py DIR
Standard library only (the .npy format is parsed by hand); when numpy is importable, every file is
also loaded with numpy.load to prove the format. Exit 0 when everything agrees.
"""
import ast
import json
import math
import os
import struct
import sys


def load(path):
    with open(path, "rb") as f:
        assert f.read(8) == b"\x93NUMPY\x01\x00", path
        (n,) = struct.unpack("<H", f.read(2))
        header = ast.literal_eval(f.read(n).decode("latin1"))
        assert header["descr"] == "<f8" and header["fortran_order"] is False, header
        shape = header["shape"]
        count = math.prod(shape)
        values = struct.unpack("<%dd" % count, f.read(8 * count))
    return shape, values


d = sys.argv[1]
index = json.load(open(os.path.join(d, "index.json")))
assert index["schema"] == "bpdojo.dump/1" and index["exercise"] == "exercise_04", index
N, V = index["sizes"]["N"], index["sizes"]["V"]
files = {e["name"]: e["file"] for e in index["inputs"]}
shape, logits = load(os.path.join(d, files["logits"]))
assert tuple(shape) == (N, V), shape
_, labels = load(os.path.join(d, files["Y"]))

# dlogits = (softmax(logits) - onehot(Y)) / N, in plain Python.
expected = []
for n in range(N):
    row = logits[n * V:(n + 1) * V]
    m = max(row)
    e = [math.exp(x - m) for x in row]
    s = sum(e)
    for v in range(V):
        expected.append((e[v] / s - (1.0 if v == int(labels[n]) else 0.0)) / N)

grads = {g["name"]: g for g in index["gradients"]}
for name in ("dlogits", "dlogits_fused"):
    g = grads[name]
    shape, numeric = load(os.path.join(d, g["numeric"]))
    assert tuple(shape) == (N, V), shape
    worst = max(abs(a - b) for a, b in zip(numeric, expected)) / max(abs(x) for x in expected)
    assert worst < 1e-9, (name, worst)
    _, yours = load(os.path.join(d, g["yours"]))
    worst = max(abs(a - b) for a, b in zip(yours, expected)) / max(abs(x) for x in expected)
    assert worst < 1e-12, (name, worst)
assert all(g["verdict"] == "correct" for g in index["gradients"])

try:
    import numpy
except ImportError:
    print("numpy not importable: the .npy files were checked by the standard-library reader only")
else:
    for e in index["inputs"]:
        assert numpy.load(os.path.join(d, e["file"])).shape == tuple(e["shape"])
    for g in index["gradients"]:
        assert numpy.load(os.path.join(d, g["numeric"])).shape == tuple(g["shape"])
    print("numpy.load reads every file")
print("dump checked: %d x %d, fused gradient recomputed in Python" % (N, V))
