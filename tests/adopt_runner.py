#!/usr/bin/env python3
"""Puts a prebuilt runner into a scratch workbook as if the checker had built it there.

usage: adopt_runner.py ROOT NN RUNNER

Copies RUNNER to ROOT/build/exercises/exercise_NN and writes its record,
ROOT/build/exercises/exercise_NN.built-from: a hash of the bytes of ROOT/exercises/exercise_NN_*.cpp
and of ROOT/workbook/ (its CMakeLists.txt, include/, internal/, problems/, src/, runners/), in the form the checker writes
(checker/src/common/workspace.cpp, build_fingerprint). The checker then judges the runner without building
it, as long as the exercise file keeps those bytes. The tests use it to skip building runners whose
source a scratch workbook shares with the main build (a stub runner for a stub, say); the caller
answers for RUNNER having been built from the same bytes.
"""
import glob
import os
import shutil
import sys

OFFSET = 14695981039346656037


def fnv1a(h, data):
    for b in data:
        h = ((h ^ b) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h


def workbook_hash(root):
    files = [("workbook", "CMakeLists.txt")]
    for d in ("include", "internal", "problems", "src", "runners"):
        for dirpath, _, names in os.walk(os.path.join(root, "workbook", d), followlinks=True):
            rel = os.path.relpath(dirpath, root).split(os.sep)
            files += [tuple(rel + [n]) for n in names if os.path.isfile(os.path.join(dirpath, n))]
    h = OFFSET
    for parts in sorted(files):  # element by element, as std::filesystem::path orders them
        h = fnv1a(h, "/".join(parts).encode() + b"\0")
        with open(os.path.join(root, *parts), "rb") as f:
            h = fnv1a(h, f.read() + b"\0")
    return h


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip().splitlines()[2])
    root, nn, runner = sys.argv[1:4]
    sources = glob.glob(os.path.join(root, "exercises", "exercise_%s_*.cpp" % nn))
    if len(sources) != 1:
        sys.exit("adopt_runner.py: not one exercises/exercise_%s_*.cpp in %s" % (nn, root))
    with open(sources[0], "rb") as f:
        source = fnv1a(OFFSET, f.read())
    out = os.path.join(root, "build", "exercises")
    os.makedirs(out, exist_ok=True)
    shutil.copy2(runner, os.path.join(out, "exercise_" + nn))
    with open(os.path.join(out, "exercise_%s.built-from" % nn), "w") as f:
        f.write("source %016x\nworkbook %016x\n" % (source, workbook_hash(root)))


main()
