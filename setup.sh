#!/bin/sh
# Backprop Dojo: set everything up on a fresh Debian/Ubuntu (or macOS with Homebrew) machine.
#
#   bash setup.sh          install what is missing, build the checker, and check exercise 01 (the
#                          learner's start: the checker builds each exercise's runner the first
#                          time it checks it, exercise 01's here)
#   bash setup.sh test     install what is missing (doctest and PyTorch too), build everything, and
#                          run the fast test suite: `ctest --preset default` (all but the deep sweeps,
#                          which `ctest --preset deep` runs afterwards)
#
# Environment: BPDOJO_WERROR=ON makes warnings in the project's own code errors (CI sets it).
# POSIX sh and flags that GNU and BSD tools share, so `sh setup.sh` works too, with macOS's bash 3.2
# or dash (tests/portable_test.sh holds it to that).
set -eu
cd "$(dirname "$0")"
mode=${1:-learn}
case "$mode" in learn|test) ;; *) echo "usage: bash setup.sh [test]" >&2; exit 2 ;; esac

# Lists of package names (no name has a space): bubblewrap is the sandbox of an instructor's
# `checker grade`, and libarchive what unpacks a student's archive (docs/instructors.md; on macOS
# the checker is built without it, and grading asks for archives unpacked).
debian_packages="g++ cmake ninja-build libeigen3-dev libcli11-dev libarchive-dev python3 python3-numpy bubblewrap"
brew_formulae="cmake ninja eigen cli11"
# The test suite: doctest, PyTorch (the cross-check of exercise 06), `script` (the terminal checks),
# rsvg-convert (the plots rendered as librsvg renders them), busybox (a userland without GNU's
# flags, for tests/portable_test.sh) and chromium (the class summary drawn by a real browser).
if [ "$mode" = test ]; then
  debian_packages="$debian_packages doctest-dev python3-torch bsdutils librsvg2-bin busybox chromium"
  brew_formulae="$brew_formulae doctest"
fi

# (The lists are split into words on purpose: unquoted.)
install_missing() {
  if [ "$(uname)" = Darwin ]; then
    command -v brew >/dev/null || { echo "setup.sh: install Homebrew first (https://brew.sh)" >&2; exit 2; }
    brew list $brew_formulae >/dev/null 2>&1 || brew install $brew_formulae
    return
  fi
  if ! command -v apt-get >/dev/null; then
    echo "setup.sh: no apt-get here; install a C++17 compiler, CMake >= 3.22, Ninja, Eigen 3.4, CLI11 and doctest, then run again" >&2
    exit 2
  fi
  missing=""
  for p in $debian_packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  [ -n "$missing" ] || return 0
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup.sh: installing$missing"
  $sudo apt-get update -qq
  # (Through env: sudo drops the caller's environment.)
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

install_missing
jobs=$(getconf _NPROCESSORS_ONLN 2>/dev/null || sysctl -n hw.ncpu 2>/dev/null || echo 2)
if [ "$mode" = test ]; then
  cmake --preset default -DBPDOJO_WERROR="${BPDOJO_WERROR:-OFF}" -DBPDOJO_BUILD_TESTS=ON >/dev/null
  cmake --build --preset default -j "$jobs"
  ctest --preset default
else
  cmake --preset default -DBPDOJO_WERROR="${BPDOJO_WERROR:-OFF}" >/dev/null
  cmake --build --preset learner -j "$jobs"
  echo
  echo "Built. This is what an unfinished exercise looks like:"
  echo
  ./build/checker exercise_01 || true
  echo
  echo "Next: open exercises/exercise_01_chain_rule.cpp, fill in a gradient, run ./build/checker exercise_01"
fi
