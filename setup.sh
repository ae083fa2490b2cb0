#!/usr/bin/env bash
# Backprop Dojo: set everything up on a fresh Debian/Ubuntu (or macOS with Homebrew) machine.
#
#   bash setup.sh          install what is missing, build, and check exercise 01 (the learner's start)
#   bash setup.sh test     install what is missing, build, and run the whole test suite
#
# Environment: BPDOJO_WERROR=ON makes warnings in the project's own code errors (CI sets it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
mode=${1:-learn}
case "$mode" in learn|test) ;; *) echo "usage: bash setup.sh [test]" >&2; exit 2 ;; esac

# bubblewrap: the sandbox of an instructor's `checker grade` (docs/instructors.md).
debian_packages=(g++ cmake ninja-build libeigen3-dev libcli11-dev doctest-dev python3 python3-numpy bsdutils bubblewrap)
# The test suite also cross-checks exercise 06 against PyTorch autograd (skipped where it is missing).
[ "$mode" = test ] && debian_packages+=(python3-torch)

install_missing() {
  if [ "$(uname)" = Darwin ]; then
    command -v brew >/dev/null || { echo "setup.sh: install Homebrew first (https://brew.sh)" >&2; exit 2; }
    brew list cmake ninja eigen cli11 doctest >/dev/null 2>&1 || brew install cmake ninja eigen cli11 doctest
    return
  fi
  if ! command -v apt-get >/dev/null; then
    echo "setup.sh: no apt-get here; install a C++17 compiler, CMake >= 3.22, Ninja, Eigen 3.4, CLI11 and doctest, then run again" >&2
    exit 2
  fi
  local missing=()
  for p in "${debian_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup.sh: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_missing
cmake --preset default -DBPDOJO_WERROR="${BPDOJO_WERROR:-OFF}" >/dev/null
jobs=$(nproc 2>/dev/null || sysctl -n hw.ncpu 2>/dev/null || echo 2)
cmake --build --preset default -j "$jobs"

if [ "$mode" = test ]; then
  ctest --preset default
else
  echo
  echo "Built. This is what an unfinished exercise looks like:"
  echo
  ./build/checker exercise_01 || true
  echo
  echo "Next: open exercises/exercise_01_chain_rule.cpp, fill in a gradient, run ./build/checker exercise_01"
fi
