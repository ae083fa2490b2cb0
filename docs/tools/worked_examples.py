#!/usr/bin/env python3
"""The worked examples of exercise 01, computed independently of the workbook's C++ code.

Standard library only: decimal arithmetic at 50 significant digits (exp and ln included), the
derivatives written out by hand from the chain rule. Prints `name value` lines to 17 significant
digits; tests/test_worked_examples.cpp and docs/exercise_01.md quote these figures.
"""
from decimal import Decimal as D, getcontext

getcontext().prec = 50


def sig(z):
    return 1 / (1 + (-z).exp())


out = {}

# (a) L = (w x - y)^2
w, x, y = D(2), D(3), D(10)
diff = w * x - y
out["fwd.a.L"] = diff * diff
out["a.dw"] = 2 * diff * x
out["a.dx"] = 2 * diff * w
out["a.dy"] = -2 * diff

# (b) 2-2-1 sigmoid network, binary cross-entropy; rows of W1 are hidden units
xb = [D("0.5"), D("0.3")]
yb = D(1)
W1 = [[D("0.1"), D("0.3")], [D("0.2"), D("0.4")]]
b1 = [D("0.1"), D("0.2")]
W2 = [D("0.5"), D("0.6")]
b2 = D("0.1")
z1 = [W1[j][0] * xb[0] + W1[j][1] * xb[1] + b1[j] for j in range(2)]
a1 = [sig(z) for z in z1]
z2 = W2[0] * a1[0] + W2[1] * a1[1] + b2
yhat = sig(z2)
L = -(yb * yhat.ln() + (1 - yb) * (1 - yhat).ln())
for j in range(2):
    out[f"fwd.b.z1[{j}]"] = z1[j]
    out[f"fwd.b.a1[{j}]"] = a1[j]
out["fwd.b.z2"], out["fwd.b.yhat"], out["fwd.b.L"] = z2, yhat, L
# dL/dyhat = -y/yhat + (1-y)/(1-yhat); dyhat/dz2 = yhat(1-yhat)  => dL/dz2 = yhat - y
dz2 = (-yb / yhat + (1 - yb) / (1 - yhat)) * yhat * (1 - yhat)
out["b.db2"] = dz2
for j in range(2):
    out[f"b.dW2[{j}]"] = dz2 * a1[j]
    dz1 = dz2 * W2[j] * a1[j] * (1 - a1[j])
    out[f"b.db1[{j}]"] = dz1
    for i in range(2):
        out[f"b.dW1[{j}][{i}]"] = dz1 * xb[i]

# (c) the classic 2-2-2 network, squared error, shared biases
i1, i2, t1, t2 = D("0.05"), D("0.10"), D("0.01"), D("0.99")
w = {k: D(v) for k, v in zip(range(1, 9), ["0.15", "0.20", "0.25", "0.30", "0.40", "0.45", "0.50", "0.55"])}
cb1, cb2 = D("0.35"), D("0.60")
net_h1 = w[1] * i1 + w[2] * i2 + cb1
net_h2 = w[3] * i1 + w[4] * i2 + cb1
h1, h2 = sig(net_h1), sig(net_h2)
net_o1 = w[5] * h1 + w[6] * h2 + cb2
net_o2 = w[7] * h1 + w[8] * h2 + cb2
o1, o2 = sig(net_o1), sig(net_o2)
E = (t1 - o1) ** 2 / 2 + (t2 - o2) ** 2 / 2
for k, v in [("net_h1", net_h1), ("out_h1", h1), ("net_h2", net_h2), ("out_h2", h2), ("net_o1", net_o1),
             ("out_o1", o1), ("net_o2", net_o2), ("out_o2", o2), ("E", E)]:
    out[f"fwd.c.{k}"] = v
d_o1 = (o1 - t1) * o1 * (1 - o1)  # dE/dnet_o1
d_o2 = (o2 - t2) * o2 * (1 - o2)
out["c.dw5"], out["c.dw6"] = d_o1 * h1, d_o1 * h2
out["c.dw7"], out["c.dw8"] = d_o2 * h1, d_o2 * h2
out["c.db2"] = d_o1 + d_o2
d_h1 = (d_o1 * w[5] + d_o2 * w[7]) * h1 * (1 - h1)
d_h2 = (d_o1 * w[6] + d_o2 * w[8]) * h2 * (1 - h2)
out["c.dw1"], out["c.dw2"] = d_h1 * i1, d_h1 * i2
out["c.dw3"], out["c.dw4"] = d_h2 * i1, d_h2 * i2
out["c.db1"] = d_h1 + d_h2

for k, v in out.items():
    print(f"{k} {v:.16e}")
