#!/usr/bin/env python3
"""The three worked examples of exercise 01, computed independently of the workbook's C++ code.

Standard library only. Every number is a `decimal.Decimal` at 50 significant digits (Decimal has
exp() and ln(); the sigmoid is written out below). The derivatives are written by hand from the
chain rule, and before anything is printed each of them is compared with a central finite
difference taken at the same 50-digit precision (step 1e-20, so the difference quotient is good to
about 1e-30); a disagreement stops the script with an error instead of printing wrong figures.

Output: one line per value, `name value`, the value to 17 significant digits in positional notation.
Forward values carry the prefix `fwd.`; the error signals of part (c) that the published walk-through
also prints (dE/dnet of each unit) carry the prefix `mid.`; gradients have the names the checker uses
(a.dw, b.dW1[0][1], c.db2, ...). docs/exercise_01.md and tests/test_worked_examples.cpp quote these.

    python3 docs/tools/worked_examples.py
"""
import sys
from decimal import ROUND_HALF_EVEN, Decimal as D, getcontext

getcontext().prec = 50

ONE = D(1)


def sigmoid(z):
    return ONE / (ONE + (-z).exp())


def fmt(v, digits=17):
    """v to `digits` significant digits, positional notation (no exponent)."""
    if v == 0:
        return "0." + "0" * (digits - 1)
    q = v.quantize(D(1).scaleb(v.adjusted() - digits + 1), rounding=ROUND_HALF_EVEN)
    if q.adjusted() != v.adjusted():  # rounding carried into a new leading digit (9.99... -> 10.0...)
        q = v.quantize(D(1).scaleb(q.adjusted() - digits + 1), rounding=ROUND_HALF_EVEN)
    return format(q, "f")


# ---------------------------------------------------------------------------------------------
# (a) L = (w x - y)^2
# ---------------------------------------------------------------------------------------------
A = {"w": D(2), "x": D(3), "y": D(10)}


def forward_a(p):
    wx = p["w"] * p["x"]
    diff = wx - p["y"]
    return {"wx": wx, "diff": diff, "L": diff * diff}


def backward_a(p, f):
    ddiff = 2 * f["diff"]           # L = diff^2
    dwx = ddiff                     # diff = wx - y
    dy = -ddiff
    return {"dw": dwx * p["x"], "dx": dwx * p["w"], "dy": dy}   # wx = w x


# ---------------------------------------------------------------------------------------------
# (b) 2-2-1 sigmoid network, binary cross-entropy. Rows of W1 are hidden units: z1 = W1 x + b1.
# ---------------------------------------------------------------------------------------------
B = {
    "x[0]": D("0.5"), "x[1]": D("0.3"), "y": D(1),
    "W1[0][0]": D("0.1"), "W1[0][1]": D("0.3"), "W1[1][0]": D("0.2"), "W1[1][1]": D("0.4"),
    "b1[0]": D("0.1"), "b1[1]": D("0.2"),
    "W2[0]": D("0.5"), "W2[1]": D("0.6"), "b2": D("0.1"),
}


def forward_b(p):
    f = {}
    for j in range(2):
        f[f"z1[{j}]"] = p[f"W1[{j}][0]"] * p["x[0]"] + p[f"W1[{j}][1]"] * p["x[1]"] + p[f"b1[{j}]"]
        f[f"a1[{j}]"] = sigmoid(f[f"z1[{j}]"])
    f["z2"] = p["W2[0]"] * f["a1[0]"] + p["W2[1]"] * f["a1[1]"] + p["b2"]
    f["yhat"] = sigmoid(f["z2"])
    y, yhat = p["y"], f["yhat"]
    f["L"] = -(y * yhat.ln() + (1 - y) * (1 - yhat).ln())
    return f


def backward_b(p, f):
    y, yhat = p["y"], f["yhat"]
    dyhat = -y / yhat + (1 - y) / (1 - yhat)    # L = -[y ln yhat + (1-y) ln(1-yhat)]
    dz2 = dyhat * yhat * (1 - yhat)             # yhat = sigmoid(z2); equals yhat - y
    g = {"db2": dz2}
    for j in range(2):
        g[f"dW2[{j}]"] = dz2 * f[f"a1[{j}]"]     # z2 = sum_j W2_j a1_j + b2
        da1 = dz2 * p[f"W2[{j}]"]
        dz1 = da1 * f[f"a1[{j}]"] * (1 - f[f"a1[{j}]"])
        g[f"db1[{j}]"] = dz1
        for i in range(2):
            g[f"dW1[{j}][{i}]"] = dz1 * p[f"x[{i}]"]
    return g


# ---------------------------------------------------------------------------------------------
# (c) the classic 2-2-2 network (Mazur), squared error, one bias shared per layer.
# ---------------------------------------------------------------------------------------------
C = {
    "i1": D("0.05"), "i2": D("0.10"), "t1": D("0.01"), "t2": D("0.99"),
    "w1": D("0.15"), "w2": D("0.20"), "w3": D("0.25"), "w4": D("0.30"),
    "w5": D("0.40"), "w6": D("0.45"), "w7": D("0.50"), "w8": D("0.55"),
    "b1": D("0.35"), "b2": D("0.60"),
}


def forward_c(p):
    f = {}
    f["net_h1"] = p["w1"] * p["i1"] + p["w2"] * p["i2"] + p["b1"]
    f["out_h1"] = sigmoid(f["net_h1"])
    f["net_h2"] = p["w3"] * p["i1"] + p["w4"] * p["i2"] + p["b1"]
    f["out_h2"] = sigmoid(f["net_h2"])
    f["net_o1"] = p["w5"] * f["out_h1"] + p["w6"] * f["out_h2"] + p["b2"]
    f["out_o1"] = sigmoid(f["net_o1"])
    f["net_o2"] = p["w7"] * f["out_h1"] + p["w8"] * f["out_h2"] + p["b2"]
    f["out_o2"] = sigmoid(f["net_o2"])
    f["E"] = (p["t1"] - f["out_o1"]) ** 2 / 2 + (p["t2"] - f["out_o2"]) ** 2 / 2
    return f


def backward_c(p, f, mid=None):
    o1, o2, h1, h2 = f["out_o1"], f["out_o2"], f["out_h1"], f["out_h2"]
    dnet_o1 = (o1 - p["t1"]) * o1 * (1 - o1)     # dE/dout_o1 = out_o1 - t1, times sigmoid'
    dnet_o2 = (o2 - p["t2"]) * o2 * (1 - o2)
    dout_h1 = dnet_o1 * p["w5"] + dnet_o2 * p["w7"]   # h1 feeds o1 AND o2
    dout_h2 = dnet_o1 * p["w6"] + dnet_o2 * p["w8"]
    dnet_h1 = dout_h1 * h1 * (1 - h1)
    dnet_h2 = dout_h2 * h2 * (1 - h2)
    if mid is not None:
        mid.update({"dnet_o1": dnet_o1, "dnet_o2": dnet_o2, "dout_h1": dout_h1, "dout_h2": dout_h2,
                    "dnet_h1": dnet_h1, "dnet_h2": dnet_h2})
    return {
        "dw1": dnet_h1 * p["i1"], "dw2": dnet_h1 * p["i2"],
        "dw3": dnet_h2 * p["i1"], "dw4": dnet_h2 * p["i2"],
        "dw5": dnet_o1 * h1, "dw6": dnet_o1 * h2,
        "dw7": dnet_o2 * h1, "dw8": dnet_o2 * h2,
        "db1": dnet_h1 + dnet_h2,     # b1 feeds both hidden units
        "db2": dnet_o1 + dnet_o2,     # b2 feeds both outputs
    }


# ---------------------------------------------------------------------------------------------
# Self-check: every hand-derived gradient against a 50-digit central difference.
# ---------------------------------------------------------------------------------------------
def check(part, params, forward, backward, loss_name):
    step = D("1e-20")
    grads = backward(params, forward(params))
    for gname, value in grads.items():
        leaf = gname[1:]  # "dW1[0][1]" -> "W1[0][1]"
        plus, minus = dict(params), dict(params)
        plus[leaf] += step
        minus[leaf] -= step
        numeric = (forward(plus)[loss_name] - forward(minus)[loss_name]) / (2 * step)
        if abs(numeric - value) > D("1e-25") * max(ONE, abs(value)):
            sys.exit(f"worked_examples.py: {part}.{gname} = {value} but finite differences give {numeric}")


def main():
    check("a", A, forward_a, backward_a, "L")
    check("b", B, forward_b, backward_b, "L")
    check("c", C, forward_c, backward_c, "E")

    out = []
    fa = forward_a(A)
    out += [(f"fwd.a.{k}", v) for k, v in fa.items()]
    out += [(f"a.{k}", v) for k, v in backward_a(A, fa).items()]

    fb = forward_b(B)
    out += [(f"fwd.b.{k}", v) for k, v in fb.items()]
    gb = backward_b(B, fb)
    order_b = ["dW1[0][0]", "dW1[0][1]", "dW1[1][0]", "dW1[1][1]", "db1[0]", "db1[1]", "dW2[0]", "dW2[1]",
               "db2"]
    out += [(f"b.{k}", gb[k]) for k in order_b]

    fc = forward_c(C)
    out += [(f"fwd.c.{k}", v) for k, v in fc.items()]
    mid = {}
    gc = backward_c(C, fc, mid)
    out += [(f"mid.c.{k}", v) for k, v in mid.items()]
    order_c = [f"dw{k}" for k in range(1, 9)] + ["db1", "db2"]
    out += [(f"c.{k}", gc[k]) for k in order_c]

    for name, value in out:
        print(f"{name} {fmt(value)}")


if __name__ == "__main__":
    main()
