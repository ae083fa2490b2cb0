#!/usr/bin/env bash
# A newcomer's first command, timed: clone this repository into a temporary folder and run
# `bash setup.sh` there (packages already installed, so the figure is the build and the first
# check). Prints the wall time, the CPU time (user + sys, every child included), the load average
# before and after, and the number of build steps Ninja ran.
#
# usage: bench/setup_time.sh [MODE]   MODE: learn (default, `bash setup.sh`) or test (`bash setup.sh test`)
# Needs git and GNU time (/usr/bin/time, Debian's `time` package). Clones the committed HEAD, so
# uncommitted changes are not measured.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mode=${1:-learn}
case "$mode" in learn) args=() ;; test) args=(test) ;; *) echo "usage: bench/setup_time.sh [learn|test]" >&2; exit 2 ;; esac
[ -x /usr/bin/time ] || { echo "bench: needs GNU time (apt-get install time)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git clone -q . "$tmp/dojo"
load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)
/usr/bin/time -f '%e %U %S' -o "$tmp/time" bash "$tmp/dojo/setup.sh" "${args[@]}" >"$tmp/out" 2>&1 || {
  echo "bench: setup.sh failed; its output:" >&2; tail -n 30 "$tmp/out" >&2; exit 1; }
load_after=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)
read -r wall user sys <"$tmp/time"
# Every command Ninja ran is one line of its log (after the version line).
steps=$(grep -vc '^#' "$tmp/dojo/build/.ninja_log" || true)

echo "bash setup.sh ${args[*]} in a fresh clone of $(git rev-parse --short HEAD) ($(nproc) cores)"
printf '  wall time     %8.1f s\n' "$wall"
awk -v u="$user" -v s="$sys" 'BEGIN { printf "  CPU time      %8.1f s  (user %.1f + sys %.1f)\n", u + s, u, s }'
printf '  build steps   %8d\n' "$steps"
echo "  load average  $load_before (before), $load_after (after)"
