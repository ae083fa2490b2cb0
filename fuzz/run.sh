#!/usr/bin/env bash
# Backprop Dojo: fuzz the runner protocol parser (protocol::parse) under Address and
# UndefinedBehavior sanitizers with libFuzzer. CI runs it for half a minute.
#
#   bash fuzz/run.sh [SECONDS]     (default 60; works from any directory)
#
# Builds build-fuzz/fuzz_protocol, fuzzes a scratch copy of fuzz/corpus (build-fuzz/corpus, so the
# seeds in git never change), and exits non-zero when the fuzzer finds a crash, a timeout or an
# out-of-memory; the input that did it is saved as build-fuzz/crash-<hash> (or timeout-,
# oom-). Needs clang and its compiler runtime (Debian: apt-get install clang libclang-rt-dev).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds=${1:-60}
case "$seconds" in
  '' | *[!0-9]*) echo "usage: bash fuzz/run.sh [SECONDS]" >&2; exit 2 ;;
esac

if ! command -v clang++ >/dev/null; then
  echo "fuzz/run.sh: clang++ not found; install it (Debian: apt-get install clang libclang-rt-dev)" >&2
  exit 2
fi
if [ ! -d /usr/include/eigen3 ]; then
  echo "fuzz/run.sh: Eigen not found in /usr/include/eigen3; install it (Debian: apt-get install libeigen3-dev)" >&2
  exit 2
fi

out=build-fuzz
echo "fuzz/run.sh: building $out/fuzz_protocol (libFuzzer, ASan, UBSan) and fuzzing protocol::parse for ${seconds}s from fuzz/corpus"
mkdir -p "$out/obj"

flags=(-std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
  -I workbook/include -I workbook/internal -isystem /usr/include/eigen3)

# clang alone does not bring the fuzzer runtime on Debian (libclang-rt-*-dev is only recommended,
# and CI installs with --no-install-recommends): link an empty target first, to fail on that with
# one clear line instead of a linker error about libclang_rt.fuzzer.
probe_src='extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }'
if ! echo "$probe_src" | clang++ "${flags[@]}" -x c++ - -o "$out/probe" 2>"$out/probe.log"; then
  echo "fuzz/run.sh: clang++ cannot link a libFuzzer target (see $out/probe.log); install the runtime (Debian: apt-get install libclang-rt-dev)" >&2
  exit 2
fi
rm -f "$out/probe"

# The parser and what it links against: tensor.cpp (Tensor, shapes) and eigen.cpp (the
# eigen_assert handler every Eigen use refers to). The workbook's own warnings are not ours to
# judge here; the fuzz target itself is held to -Wall -Wextra.
objs=()
for src in workbook/src/protocol.cpp workbook/src/tensor.cpp workbook/src/eigen.cpp; do
  obj="$out/obj/$(basename "$src" .cpp).o"
  clang++ "${flags[@]}" -c "$src" -o "$obj"
  objs+=("$obj")
done
clang++ "${flags[@]}" -Wall -Wextra -c fuzz/fuzz_protocol.cpp -o "$out/obj/fuzz_protocol.o"
clang++ "${flags[@]}" "$out/obj/fuzz_protocol.o" "${objs[@]}" -o "$out/fuzz_protocol"

# A fresh scratch corpus each run: libFuzzer adds the inputs it finds to the first directory.
rm -rf "$out/corpus"
mkdir -p "$out/corpus"
cp fuzz/corpus/* "$out/corpus/"

# Stack traces for UBSan reports too (ASan prints them anyway).
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
status=0
"$out/fuzz_protocol" "$out/corpus" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
  -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/" || status=$?
if [ "$status" -ne 0 ]; then
  echo "fuzz/run.sh: the fuzzer found a problem (exit $status); reproduce with: $out/fuzz_protocol <the crash-/timeout-/oom- file named above>" >&2
  exit "$status"
fi
echo "fuzz/run.sh: no crash in ${seconds}s"
