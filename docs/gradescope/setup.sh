#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
# The autograder zip holds this file, run_autograder, and the workbook in bpdojo/.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  g++ cmake ninja-build libeigen3-dev libcli11-dev doctest-dev python3 python3-numpy bsdutils bubblewrap
# Builds the checker in /autograder/source/bpdojo/build, where it will grade.
bash /autograder/source/bpdojo/setup.sh
