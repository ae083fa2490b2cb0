#!/usr/bin/env python3
"""Exercise 17's paths over the Rosenbrock function, the SVG the checker draws and the JSON beside it.

usage: optim_paths_test.py CHECKER_BINARY

1. The reference solution (`--solutions --plot FILE --json`): for each of sgd, nesterov, rmsprop,
   adam and adamw, the JSON reports 201 points of the learner's path and of the checker's, and both
   end where torch.optim ends the same 200 steps from (-1.2, 1) with the same hyper-parameters
   (float64, an independent implementation), to 1e-9.
2. The SVG: well-formed XML, no script, a field of levels with contour lines, and per optimizer two
   series (", yours" solid and ", the checker's" dashed), each one polyline of 201 finite points;
   the reference solution's lies on the checker's (the same coordinates), and the minimum's point.
3. Exercise 08's MLP trained by each (the JSON's `mlp`, FILE_mlp.svg): eleven checkpoints each, the
   same dev loss at step 0 for the five, every dev loss finite and the last below the first; the
   plot one polyline of 11 finite points per optimizer.
4. The pristine stub: the checker's five paths alone, no series of yours, "not reported" in the
   text, and each MLP run at its starting checkpoint alone.
Exit 0 on pass, 1 on failure, 77 (skipped) without numpy or torch; under CI=true a missing numpy or
torch is a failure.
"""
import json
import math
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from needs_torch import torch  # noqa: E402  (numpy and torch, or the script ends skipped)

NS = "{http://www.w3.org/2000/svg}"
NAMES = ("sgd", "nesterov", "rmsprop", "adam", "adamw")
fails = []


def fail(what):
    fails.append(what)
    print("FAIL: " + what)


def torch_path_end(name, steps=200):
    """torch.optim's own steps over f(x, y) = (1 - x)^2 + 100 (y - x^2)^2, the header's hyper-parameters."""
    p = torch.tensor([-1.2, 1.0], dtype=torch.float64, requires_grad=True)
    opt = {"sgd": lambda: torch.optim.SGD([p], lr=5e-4, momentum=0.9),
           "nesterov": lambda: torch.optim.SGD([p], lr=5e-4, momentum=0.9, nesterov=True),
           "rmsprop": lambda: torch.optim.RMSprop([p], lr=0.02, alpha=0.99, eps=1e-8),
           "adam": lambda: torch.optim.Adam([p], lr=0.1, betas=(0.9, 0.999), eps=1e-8),
           "adamw": lambda: torch.optim.AdamW([p], lr=0.1, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1)}[name]()
    for _ in range(steps):
        opt.zero_grad()
        x, y = p[0], p[1]
        ((1 - x) ** 2 + 100 * (y - x * x) ** 2).backward()
        opt.step()
    return [float(v) for v in p.detach()]


def series_of(svg_text):
    root = ET.fromstring(svg_text)
    if any(e.tag == NS + "script" for e in root.iter()):
        fail("the SVG holds a script")
    out = {}
    for g in root.iter(NS + "g"):
        if g.get("class") != "series":
            continue
        title = g.find(NS + "title").text
        lines = [[tuple(float(v) for v in pt.split(",")) for pt in pl.get("points").split()] for pl in g.findall(NS + "polyline")]
        out[title] = {"lines": lines, "dashed": any(pl.get("stroke-dasharray") for pl in g.findall(NS + "polyline")),
                      "circles": len(g.findall(NS + "circle"))}
    levels = [g for g in root.iter(NS + "g") if g.get("class") == "levels"]
    contours = [p for p in root.iter(NS + "path") if p.get("class") == "contour"]
    return out, levels, contours


def run(checker, d, flavour, with_text=False):
    plot = os.path.join(d, flavour + "_paths.svg")
    cmd = [checker, "exercise_17", "--plot", plot] + (["--solutions"] if flavour == "solution" else [])
    text = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True).stdout if with_text else ""
    r = subprocess.run(cmd + ["--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return json.loads(r.stdout), open(plot).read(), text


def main():
    if len(sys.argv) != 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    checker = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix="bpdojo_optim_paths_") as d:
        report, svg, _ = run(checker, d, "solution")
        paths = {p["name"]: p for p in report["optimizer_paths"]["paths"]}
        for name in NAMES:
            p = paths.get(name)
            if not p:
                fail(f"{name}: no path in the JSON")
                continue
            want = torch_path_end(name)
            for who in ("yours", "reference"):
                if p[who]["points"] != 201:
                    fail(f"{name} {who}: {p[who]['points']} points, want 201")
                got = p[who]["last"]
                err = max(abs(a - b) for a, b in zip(got, want)) / max(abs(v) for v in want)
                print(f"  {name:<9} {who:<9} ends at ({got[0]:.6f}, {got[1]:.6f}); torch.optim ({want[0]:.6f}, {want[1]:.6f}); rel {err:.1e}")
                if err > 1e-9:
                    fail(f"{name} {who}: ends at {got}, torch.optim at {want}")
        series, levels, contours = series_of(svg)
        if len(levels) != 1 or len(contours) < 5:
            fail(f"the field of levels: {len(levels)} groups, {len(contours)} contour lines")
        for name in NAMES:
            yours, ref = series.get(name + ", yours"), series.get(name + ", the checker's")
            if not yours or not ref:
                fail(f"{name}: series {sorted(series)}")
                continue
            for who, s in (("yours", yours), ("the checker's", ref)):
                if len(s["lines"]) != 1 or len(s["lines"][0]) != 201:
                    fail(f"{name} {who}: polylines of {[len(line) for line in s['lines']]} points, want one of 201")
                elif not all(math.isfinite(v) for pt in s["lines"][0] for v in pt):
                    fail(f"{name} {who}: a coordinate is not finite")
            if not ref["dashed"] or yours["dashed"]:
                fail(f"{name}: the checker's path must be dashed, yours solid")
            if yours["lines"] != ref["lines"]:
                fail(f"{name}: the reference solution's path is not drawn on the checker's")
        if series.get("minimum (1, 1)", {}).get("circles") != 1:
            fail("the minimum's point is missing")
        # The MLP: the same start for the five, eleven checkpoints each, every dev loss finite and
        # the last below the first; its SVG one polyline of 11 finite points per optimizer.
        curves = {c["name"]: c for c in report["optimizer_paths"]["mlp"]}
        starts = set()
        for name in NAMES:
            c = curves.get(name)
            if not c or c["at"] != list(range(0, 201, 20)):
                fail(f"mlp {name}: checkpoints {c and c['at']}")
                continue
            dev = c["dev"]
            print(f"  mlp {name:<9} dev loss {dev[0]:.4f} at step 0, {dev[-1]:.4f} at step 200")
            starts.add(dev[0])
            if not all(isinstance(v, float) and math.isfinite(v) for v in dev) or not dev[-1] < dev[0]:
                fail(f"mlp {name}: dev losses {dev}")
        if len(starts) != 1:
            fail(f"mlp: the five start from different dev losses {starts}")
        mlp_svg = report["optimizer_paths"]["mlp_plot"]
        if mlp_svg != os.path.join(d, "solution_mlp.svg") or not os.path.exists(mlp_svg):
            fail(f"mlp: no plot ({mlp_svg})")
        else:
            mlp_series, _, _ = series_of(open(mlp_svg).read())
            for name in NAMES:
                s = mlp_series.get(name)
                if not s or len(s["lines"]) != 1 or len(s["lines"][0]) != 11 or \
                        not all(math.isfinite(v) for pt in s["lines"][0] for v in pt):
                    fail(f"mlp plot, {name}: {s and [len(line) for line in s['lines']]}")

        report, svg, text = run(checker, d, "stub", with_text=True)
        series, _, _ = series_of(svg)
        if sorted(series) != sorted([n + ", the checker's" for n in NAMES] + ["minimum (1, 1)"]):
            fail(f"the stub's plot: series {sorted(series)}")
        if any(p["reported"] for p in report["optimizer_paths"]["paths"]) or text.count("not reported") != 5:
            fail("the stub's paths must be not reported")
        # The stub's MLP runs stop at their first update: the starting checkpoint alone.
        if any(c["at"] != [0] for c in report["optimizer_paths"]["mlp"]):
            fail(f"the stub's MLP checkpoints: {[c['at'] for c in report['optimizer_paths']['mlp']]}")
    print("pass" if not fails else f"{len(fails)} failures")
    return 0 if not fails else 1


if __name__ == "__main__":
    sys.exit(main())
