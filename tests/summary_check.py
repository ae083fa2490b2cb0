"""The class summary of a grading run read back against its results.jsonl, counted here anew.

usage: summary_check.py OUT_DIR [SCREENSHOT.png]

summary.html's charts carry each bar's count (data-count); every one must be what results.jsonl
says: per gradient the students in each category, per exercise those who finished it, the scores'
histogram; the table of the most common mistakes, the lines blamed first, and the lists of students
who did not submit and whose files were ambiguous too. With a
screenshot (a real browser's rendering of the page), the picture must not be blank and must show
the charts' colours: the SVG was drawn, not only parsed.
"""
import json
import sys
from collections import Counter, defaultdict
from html.parser import HTMLParser

from png_read import png_pixels

CATEGORY = {
    "correct": "correct", "wrong": "wrong", "wrong shape": "wrong", "not implemented": "not implemented",
    "compile error": "compile error", "crashed": "crashed", "timed out": "crashed", "killed": "crashed",
    "error": "crashed", "refused": "refused", "missing": "not submitted", "ambiguous": "not submitted",
}
CATEGORIES = ["correct", "wrong", "not implemented", "compile error", "crashed", "refused", "not submitted"]


class Charts(HTMLParser):
    """data-count of each bar: charts[svg id][row label][category], bins[bin], and the lists."""

    def __init__(self):
        super().__init__()
        self.charts = defaultdict(lambda: defaultdict(dict))
        self.bins = {}
        self.svg = None
        self.label = None
        self.heading = None
        self.lists = defaultdict(list)
        self.in_li = False
        self.cells = []
        self.in_td = False
        self.mistakes = {}  # (exercise, gradient, kind) -> students

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg":
            self.svg = a.get("id")
        elif tag == "g" and "data-label" in a:
            self.label = a["data-label"]
        elif tag == "rect" and "data-bin" in a:
            self.bins[int(a["data-bin"])] = int(a["data-count"])
        elif tag == "rect" and "data-category" in a:
            self.charts[self.svg][self.label][a["data-category"]] = int(a["data-count"])
        elif tag == "h2":
            self.heading = ""
        elif tag == "li":
            self.in_li = True
            self.lists[self.heading].append("")
        elif tag == "tr":
            self.cells = []
        elif tag == "td":
            self.cells.append("")
            self.in_td = True

    def handle_endtag(self, tag):
        if tag == "svg":
            self.svg = None
        elif tag == "li":
            self.in_li = False
        elif tag == "td":
            self.in_td = False
        elif tag == "tr" and len(self.cells) == 5:
            e, g, k, n, _ = self.cells
            self.mistakes[(e, g, k)] = int(n)


    def handle_data(self, data):
        if self.heading == "" and self.lasttag == "h2":
            self.heading = data
        elif self.in_li:
            self.lists[self.heading][-1] += data
        elif self.in_td and self.cells:
            self.cells[-1] += data


def main():
    out = sys.argv[1]
    rows = [json.loads(l) for l in open(out + "/results.jsonl", encoding="utf-8") if l.strip()]
    page = Charts()
    page.feed(open(out + "/summary.html", encoding="utf-8").read())

    students = list(dict.fromkeys(r["student"] for r in rows))
    # Per gradient, the students in each category.
    want = defaultdict(Counter)
    for r in rows:
        want[r["exercise"] + " " + r["gradient"]][CATEGORY.get(r["status"], "crashed")] += 1
    got = page.charts["gradients"]
    assert set(got) == set(want), (sorted(got), sorted(want))
    for label, counts in want.items():
        for c in CATEGORIES:
            assert got[label].get(c) == counts.get(c, 0), (label, c, got[label], dict(counts))
        assert sum(got[label].values()) == len(students), label
    # Per exercise, those whose every row is correct.
    finished = Counter()
    exercises = sorted({r["exercise"] for r in rows})
    for s in students:
        for e in exercises:
            mine = [r for r in rows if r["student"] == s and r["exercise"] == e]
            finished[e] += bool(mine) and all(r["status"] == "correct" for r in mine)
    for e in exercises:
        assert page.charts["finished"][e] == {"finished": finished[e], "not finished": len(students) - finished[e]}, e
    # The scores: students per tenth of their maximum.
    bins = Counter()
    for s in students:
        mine = [r for r in rows if r["student"] == s]
        top = sum(r["max_points"] for r in mine)
        share = sum(r["points"] for r in mine) / top if top > 0 else 0.0
        bins[min(9, max(0, int(share * 10 + 1e-9)))] += 1
    assert page.bins == {b: bins.get(b, 0) for b in range(10)}, (page.bins, bins)
    # Who did not submit (every row missing), whose files were ambiguous.
    by = defaultdict(list)
    for r in rows:
        by[r["student"]].append(r["status"])
    ambiguous = [s for s in students if "ambiguous" in by[s]]
    missing = [s for s in students if s not in ambiguous and all(x == "missing" for x in by[s])]
    assert page.lists.get("Not submitted", []) == missing, (page.lists, missing)
    assert page.lists.get("Ambiguous files", []) == ambiguous, (page.lists, ambiguous)

    # The mistakes: per gradient and diagnosis kind, the students whose row (not correct) has it on
    # its first instance that has one; the table lists up to three per gradient, most first.
    kinds = defaultdict(Counter)
    first_blamed = {}
    for r in rows:
        if r["status"] == "correct":
            continue
        for inst in r["instances"]:
            d = inst.get("diagnosis")
            if d and d.get("kind"):
                kinds[(r["exercise"], r["gradient"])][d["kind"]] += 1
                break
        if r["instances"] and r["instances"][0].get("line_wrong"):
            first_blamed.setdefault((r["student"], r["exercise"]), r["gradient"])
    got = page.mistakes
    for (e, g, k), n in got.items():
        assert kinds[(e, g)][k] == n, (e, g, k, n, dict(kinds[(e, g)]))
    for (e, g), c in kinds.items():
        shown = sorted((n for (e2, g2, _), n in got.items() if (e2, g2) == (e, g)), reverse=True)
        assert shown == sorted(c.values(), reverse=True)[:3], (e, g, shown, dict(c))
    assert len(got) == sum(min(3, len(c)) for c in kinds.values()), (got, kinds)
    # The lines blamed first, per exercise of several lines.
    lines_of = defaultdict(set)
    for r in rows:
        lines_of[r["exercise"]].add(r["gradient"])
    blamed = defaultdict(Counter)
    for (student, e), g in first_blamed.items():
        blamed[e][g] += 1
    want_blamed = {e: dict(c) for e, c in blamed.items() if len(lines_of[e]) > 1}
    got_blamed = {e[len("blamed_"):]: {label: counts["wrong"] for label, counts in chart.items()}
                  for e, chart in page.charts.items() if e.startswith("blamed_")}
    assert got_blamed == want_blamed, (got_blamed, want_blamed)

    if len(sys.argv) > 2:
        w, h, bpp, pixels = png_pixels(sys.argv[2])
        seen = Counter()
        for line in pixels:
            for x in range(0, len(line), bpp):
                seen[line[x:x + 3]] += 1
        assert len(seen) > 20, "the screenshot is (nearly) blank"
        for name, rgb in (("the scores' bars", b"\x15\x65\xc0"), ("correct", b"\x2e\x7d\x32")):
            assert seen[rgb] > 200, "the screenshot does not show %s' colour" % name
    print("summary matches results.jsonl: %d students, %d gradients, %d exercises" % (len(students), len(want), len(exercises)))


main()
