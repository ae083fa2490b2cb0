#!/usr/bin/env python3
"""The checker's pictures (checker/src/common/plot.hpp), as a browser or librsvg would read them.

usage: plot_test.py CHECKER_BINARY SOURCE_DIR BUILD_DIR

1. Exercise 08's loss plot from the reference run of 2000 steps (`--plot`, `--json`): well-formed
   XML, self-contained (no script, no reference outside the document), three series (the runner's
   per-step loss in 100 windows of 20 steps, the train and dev checkpoints), tick labels on both
   axes whose values cover the data, a y axis that is logarithmic, and every checkpoint's point,
   read back through the ticks' own positions, at the loss the JSON reports; the lr-decay marker
   at step 1000.
2. The eps sweep of exercise 05's dbnvar (`--sweep`): one series of 12 points on log-log axes, the
   steps 1e-1 .. 1e-12 labelled, each point read back at the error the sweep printed (to the
   printed precision).
3. Exercise 13's gradient flow (`--plot`, `--json`): five series (the numeric norms of dL_T/dh_t
   with a small and a large Whh, the reference solution's, and its exploding one clipped), every
   coordinate finite, each step's point read back through the ticks at the norm the JSON reports;
   the small Whh's norm falls below 1e-3 of its start, the large one's grows.
4. Exercise 13's loss plot as docs/img ships it: four series of finite points, each run's final dev
   checkpoint at the loss docs/exercise_13.md gives.
5. Each SVG rendered by rsvg-convert (Debian's librsvg2-bin) to PNG: the PNG decoded (zlib and the
   PNG row filters) is not blank: many distinct colours, and more than 2% of it not white.
Exit 0 on pass, 1 on failure, 77 (skipped) without rsvg-convert; under CI=true a missing
rsvg-convert is a failure, since a skip would hide that the check never ran.
"""
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

from png_read import png_pixels

NS = "{http://www.w3.org/2000/svg}"
fails = []


def check(cond, what):
    if not cond:
        fails.append(what)
        print("FAIL: " + what)


def needs_rsvg():
    if shutil.which("rsvg-convert"):
        return True
    why = "rsvg-convert is not installed (the rendering check; Debian's librsvg2-bin)"
    if os.environ.get("CI") == "true":
        print("FAIL: " + why + "; CI=true, where a skipped check is a failure")
        sys.exit(1)
    print("skipped: " + why)
    sys.exit(77)


def self_contained(path, text):
    check("<script" not in text.lower(), path + ": holds a script")
    for ref in re.findall(r'(?:href|src)\s*=\s*"([^"]*)"', text):
        check(ref.startswith("#"), path + ": refers outside itself: " + ref)
    for ref in re.findall(r"url\(([^)]*)\)", text):
        check(ref.startswith("#"), path + ": refers outside itself: " + ref)


def axis(root, which, log):
    """The ticks of one axis: [(value, label, pixel)], x from the left, y from the bottom, and a
    function from pixel to value."""
    ticks = []
    for g in root.iter(NS + "g"):
        if g.get("class") != "tick " + which:
            continue
        text = g.find(NS + "text")
        pixel = float(text.get("x" if which == "x" else "y"))
        ticks.append((float(text.text), text.text, pixel))
    ticks.sort(key=lambda t: t[2] if which == "x" else t[0])  # x: left to right; y: upwards
    if len(ticks) < 2:
        return ticks, None
    (v0, _, p0), (v1, _, p1) = ticks[0], ticks[-1]
    f = math.log10 if log else (lambda v: v)
    if which == "y":  # the label's baseline sits 4 px under its tick
        p0, p1 = p0 - 4, p1 - 4

    def value(p):
        t = f(v0) + (p - p0) * (f(v1) - f(v0)) / (p1 - p0)
        return 10 ** t if log else t

    return ticks, value


def series(root):
    out = {}
    for g in root.iter(NS + "g"):
        if g.get("class") != "series":
            continue
        name = g.find(NS + "title").text
        pts = []
        for pl in g.findall(NS + "polyline"):
            pts += [tuple(map(float, p.split(","))) for p in pl.get("points").split()]
        dots = [(float(c.get("cx")), float(c.get("cy"))) for c in g.findall(NS + "circle")]
        out[name] = (pts, dots)
    return out


def rendered_not_blank(svg, tmp):
    png = os.path.join(tmp, os.path.basename(svg) + ".png")
    r = subprocess.run(["rsvg-convert", "-o", png, svg], capture_output=True, text=True)
    check(r.returncode == 0, svg + ": rsvg-convert failed: " + r.stderr)
    if r.returncode != 0:
        return
    width, height, bpp, rows = png_pixels(png)
    colours, inked = set(), 0
    for row in rows:
        for i in range(0, len(row), bpp):
            px = row[i:i + bpp]
            colours.add(px)
            inked += px != b"\xff" * bpp
    check(len(colours) > 20, "%s: the render has %d colours" % (svg, len(colours)))
    check(inked > 0.02 * width * height, "%s: the render is blank (%d pixels not white)" % (svg, inked))


def loss_plot(checker, src, tmp):
    svg = os.path.join(tmp, "loss.svg")
    r = subprocess.run([checker, "exercise_08", "--solutions", "--steps", "2000", "--plot", svg, "--json"],
                       cwd=src, capture_output=True, text=True, timeout=600)
    check(r.returncode == 0, "exercise_08 --solutions --steps 2000 exit %d: %s" % (r.returncode, r.stderr[-500:]))
    t = json.loads(r.stdout)["training"]
    text = open(svg).read()
    self_contained(svg, text)
    root = ET.fromstring(text)
    check(root.tag == NS + "svg", "the loss plot is not an <svg>")
    s = series(root)
    check(len(s) == 3, "the loss plot has %d series, not 3: %s" % (len(s), list(s)))
    per_step = [k for k in s if k.startswith("train, per step")]
    check(len(per_step) == 1 and "mean of 20" in per_step[0], "no per-step series in windows of 20: %s" % list(s))
    if per_step:
        check(len(s[per_step[0]][0]) == 100, "the per-step series has %d points, not 100" % len(s[per_step[0]][0]))
    xt, xv = axis(root, "x", False)
    yt, yv = axis(root, "y", True)
    check(len(xt) >= 4 and len(yt) >= 4, "too few ticks: x %d, y %d" % (len(xt), len(yt)))
    check(xt[0][0] == 0 and xt[-1][0] == 2000, "the x axis runs %s .. %s, not 0 .. 2000" % (xt[0][1], xt[-1][1]))
    losses = [v for v in t["train_curve"] + t["dev_curve"] if v is not None]
    check(yt[0][0] <= min(losses) and yt[-1][0] >= max(losses),
          "the y ticks %s .. %s do not cover the losses %g .. %g" % (yt[0][1], yt[-1][1], min(losses), max(losses)))
    # A log axis: equal ratios, equal distances.
    gaps = [(yt[i + 1][2] - yt[i][2]) / math.log10(yt[i + 1][0] / yt[i][0]) for i in range(len(yt) - 1)]
    check(max(gaps) - min(gaps) < 0.05 * abs(max(gaps)) + 1, "the y axis is not logarithmic: %s" % gaps)
    for name, curve in (("train (checkpoints", t["train_curve"]), ("dev (checkpoints", t["dev_curve"])):
        key = [k for k in s if k.startswith(name)]
        check(len(key) == 1, "no series %s" % name)
        if not key:
            continue
        dots = s[key[0]][1]
        check(len(dots) == len(t["checkpoints"]), "%s: %d points for %d checkpoints" % (name, len(dots), len(t["checkpoints"])))
        for (px, py), step, loss in zip(dots, t["checkpoints"], curve):
            check(abs(xv(px) - step) <= 2000 * 0.002, "%s: step %d drawn at %g" % (name, step, xv(px)))
            check(abs(yv(py) / loss - 1) <= 0.003, "%s: loss %g drawn at %g" % (name, loss, yv(py)))
    markers = [g for g in root.iter(NS + "g") if g.get("class") == "marker"]
    check(len(markers) == 1, "%d markers, not the lr decay" % len(markers))
    if markers:
        line, label = markers[0].find(NS + "line"), markers[0].find(NS + "text")
        check(abs(xv(float(line.get("x1"))) - 1000) < 2, "the lr decay is not at step 1000")
        check(label.text == "lr 0.1 -> 0.01", "the marker says %r" % label.text)
    return svg


def sweep_plot(checker, src, build, tmp):
    r = subprocess.run([checker, "exercise_05", "--solutions", "--sweep", "dbnvar"], cwd=src, capture_output=True,
                       text=True, timeout=300)
    check(r.returncode == 0, "exercise_05 --sweep dbnvar exit %d: %s" % (r.returncode, r.stderr[-500:]))
    m = re.search(r"^plot: (.*)$", r.stdout, re.M)
    check(m is not None, "the sweep names no plot")
    if not m:
        return None
    svg = os.path.join(tmp, "sweep.svg")
    shutil.copy(m.group(1), svg)
    text = open(svg).read()
    self_contained(svg, text)
    root = ET.fromstring(text)
    s = series(root)
    check(len(s) == 1, "the sweep has %d series, not 1" % len(s))
    pts = list(s.values())[0][0] if s else []
    check(len(pts) == 12, "the sweep's line has %d points, not 12" % len(pts))
    xt, xv = axis(root, "x", True)
    yt, yv = axis(root, "y", True)
    labels = [label for _, label, _ in xt]
    check(labels[0] == "1e-1" and labels[-1] == "1e-12" and len(labels) == 12, "the step ticks are %s" % labels)
    check(xt[0][0] > xt[-1][0], "large steps are not on the left")
    check(all(label.startswith("1e") for _, label, _ in yt), "the error ticks are not decades: %s" % [l for _, l, _ in yt])
    # The text's last lines name the smallest error and its step; the point at that step is there.
    best = re.search(r"smallest error (\S+) at step 1e(-?\d+)", r.stdout)
    check(best is not None, "the sweep's text names no smallest error")
    if best and len(pts) == 12:
        k = -int(best.group(2))
        px, py = pts[k - 1]
        check(abs(math.log10(xv(px)) + k) < 0.01, "the point of step 1e-%d is drawn at %g" % (k, xv(px)))
        check(abs(math.log10(yv(py) / float(best.group(1)))) < 0.05, "the smallest error %s is drawn at %g" % (best.group(1), yv(py)))
        check(max(p[1] for p in pts) == py, "the lowest point is not the smallest error")
    return svg


def flow_plot(checker, src, tmp):
    """Exercise 13's gradient flow: the learner's norms (here the reference solution's) and the
    checker's numeric ones, per step back in time, on a log axis."""
    r = subprocess.run([checker, "exercise_13", "--solutions", "--steps", "0", "--plot", os.path.join(tmp, "rnn.svg"), "--json"],
                       cwd=src, capture_output=True, text=True, timeout=300)
    svg = os.path.join(tmp, "rnn_flow.svg")  # --plot FILE: the flow goes to FILE_flow.svg
    check(r.returncode == 0, "exercise_13 --solutions exit %d: %s" % (r.returncode, r.stderr[-500:]))
    curves = json.loads(r.stdout)["gradient_flow"]["curves"]
    text = open(svg).read()
    self_contained(svg, text)
    root = ET.fromstring(text)
    s = series(root)
    check(len(s) == 5, "the flow plot has %d series, not 5 (two references, three of yours): %s" % (len(s), list(s)))
    for name, (pts, dots) in s.items():
        check(all(math.isfinite(x) and math.isfinite(y) for x, y in pts + dots), "%s: a coordinate is not finite" % name)
    xt, xv = axis(root, "x", False)
    yt, yv = axis(root, "y", True)
    check(len(xt) >= 3 and len(yt) >= 3, "too few ticks: x %d, y %d" % (len(xt), len(yt)))
    for c in curves:
        for kind, values in (("yours", c["yours"]), ("finite differences", c["reference"])):
            if not values:
                continue
            key = [k for k in s if k.startswith(c["label"] + ", " + kind)]
            check(len(key) == 1, "no series %s, %s in %s" % (c["label"], kind, list(s)))
            if not key:
                continue
            pts, dots = s[key[0]]
            drawn = dots if kind == "yours" else pts
            check(len(drawn) == len(values) == 16, "%s: %d points drawn for %d steps, not 16" % (key[0], len(drawn), len(values)))
            for back, ((px, py), v) in enumerate(zip(drawn, values)):
                check(abs(xv(px) - back) < 0.02, "%s: step %d back drawn at %g" % (key[0], back, xv(px)))
                check(abs(math.log10(yv(py) / v)) < 0.003, "%s: norm %g drawn at %g" % (key[0], v, yv(py)))
    byname = {c["label"]: c for c in curves}
    vanish, explode = byname.get("small Whh (vanishing)"), byname.get("large Whh (exploding)")
    check(vanish is not None and vanish["yours"][-1] < 1e-3 * vanish["yours"][0], "the small Whh's gradient does not vanish")
    check(explode is not None and max(explode["yours"]) > 2 * explode["yours"][0], "the large Whh's gradient does not grow")
    return svg


def rnn_doc_plot(src):
    """Exercise 13's loss plot as docs/exercise_13.md shows it (the default run at seed 0, made by the
    checker): four series, every point finite, each run's 21 dev checkpoints read back at the final
    dev losses the note's table gives."""
    svg = os.path.join(src, "docs", "img", "exercise_13_loss.svg")
    text = open(svg).read()
    self_contained(svg, text)
    root = ET.fromstring(text)
    s = series(root)
    check(len(s) == 4, "exercise 13's plot has %d series, not 4: %s" % (len(s), list(s)))
    for name, (pts, dots) in s.items():
        check(pts and all(math.isfinite(v) for p in pts + dots for v in p), "%s: a point that is not finite" % name)
    xt, xv = axis(root, "x", False)
    yt, yv = axis(root, "y", True)
    check(len(xt) >= 2 and xt[-1][0] == 3000, "exercise 13's x axis does not end at 3000")
    for name, final in (("full BPTT, dev", 2.1277), ("truncated BPTT (k = 3), dev", 2.1380)):
        key = [k for k in s if k.startswith(name)]
        check(len(key) == 1, "no series %s" % name)
        if key and yv:
            dots = s[key[0]][1]
            check(len(dots) == 21, "%s: %d checkpoints, not 21" % (name, len(dots)))
            check(dots and abs(yv(dots[-1][1]) / final - 1) <= 0.003, "%s: the final dev loss is drawn at %g, not %g" % (name, yv(dots[-1][1]), final))
    return svg


def main():
    checker, src, build = sys.argv[1:4]
    needs_rsvg()
    with tempfile.TemporaryDirectory() as tmp:
        made = [loss_plot(checker, src, tmp), sweep_plot(checker, src, build, tmp), flow_plot(checker, src, tmp),
                rnn_doc_plot(src)]
        for svg in made:
            if svg:
                rendered_not_blank(svg, tmp)
    if fails:
        print("%d failures" % len(fails))
        return 1
    print("plots: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
