#!/bin/sh
# The learner's path without GNU: setup.sh and the test scripts use only the flags GNU and BSD
# (macOS) tools share, and setup.sh runs under a strict POSIX shell with a userland that is not
# GNU's. No macOS here, so the stand-ins: dash for the shell (macOS has /bin/dash too) and
# busybox's applets for BSD's sed, grep, tar and friends (on macOS or a BSD, the system's own).
# Needs: dash; on Linux busybox. Without one: skipped (exit 77), a failure under CI=true.
# usage: portable_test.sh SOURCE_DIR
set -u
src=$1
. "$src/tests/needs.sh"
needs dash "a strict POSIX shell to run setup.sh in; Debian's dash"
dash=$(command -v dash)
if [ "$(uname)" = Linux ]; then
  needs busybox "a userland without GNU's flags, the stand-in for BSD's; Debian's busybox"
fi
unset DEBIAN_FRONTEND  # (set in some containers: the faked apt-get must see only what setup.sh sets)
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { printf 'FAIL: %s\n' "$*"; fails=$((fails + 1)); }
T=$(mktemp -d "${TMPDIR:-/tmp}/bpdojo_portable_test.XXXXXX")
trap 'rm -rf "$T"' EXIT
tab=$(printf '\t')

# 1. Nothing GNU-only in the learner's scripts: setup.sh, and the test scripts `bash setup.sh test`
#    runs. Each rule: a name, an ERE, and a line it must catch (so a rule that cannot fire fails
#    here, not silently). Comment lines are not read; tar's long options that bsdtar shares are
#    erased before matching.
# (Not this file: it holds the rules.)
scripts="$src/setup.sh $src/tests/needs.sh"
for f in "$src"/tests/*_test.sh; do
  case "$f" in */portable_test.sh) ;; *) scripts="$scripts $f" ;; esac
done
cat >"$T/rules" <<'EOF'
sed -i (GNU takes no suffix, BSD needs one: use edit, tests/needs.sh)	sed([[:space:]][^|;]*)?[[:space:]]-[a-zA-Z]*i([[:space:]]|$)	sed -i 's/a/b/' f
sed -r (BSD: -E)	sed([[:space:]][^|;]*)?[[:space:]]-[a-zA-Z]*r([[:space:]]|$)	sed -r 's/a+/b/' f
sed \+ \? \n (GNU's escapes)	sed[[:space:]].*\\[+?n]	sed 's/a\+/b\n/' f
sed one-line a, i, c (GNU's)	sed[[:space:]].*'[0-9$]*[aic][[:space:]]	sed '1i #include <x>' f
script -e (util-linux's; BSD script takes the command after the file)	script[[:space:]]+-[a-zA-Z]*e	script -qec cmd /dev/null
readlink -f, realpath (not on older macOS)	readlink[[:space:]]+-[a-zA-Z]*[fem]|(^|[^[:alnum:]_])realpath[[:space:]]	d=$(readlink -f x)
grep -P (GNU's)	grep[[:space:]]([^|;]*[[:space:]])?-[a-zA-Z]*P	grep -oP 'a\d' f
stat -c, stat --format (BSD: stat -f)	(^|[^[:alnum:]_])stat[[:space:]]+(-c|--)	stat -c %Y f
date -d, date +%N (GNU's)	(^|[^[:alnum:]_])date[[:space:]]+(-d|--)|date[^|;]*%N	t=$(date +%s.%N)
touch -d (GNU's date words; BSD: touch -t, or age in tests/needs.sh)	touch[[:space:]]+-[a-zA-Z]*d	touch -d '-1 min' f
find -printf, -regextype (GNU's)	find[[:space:]].*-(printf|fprintf|regextype)	find . -printf '%p\n'
xargs -r, xargs --long (GNU's)	xargs[[:space:]]([^|;]*[[:space:]])?(-[a-zA-Z]*r|--[a-z])	xargs -r rm
long options of file tools (GNU's)	(^|[^[:alnum:]_-])(cp|mv|ln|rm|mkdir|touch|chmod|chown|head|tail|sort|du|df|wc|cut|uniq)[[:space:]][^|;]*--[a-z]	cp --reflink=auto a b
ln -r (GNU's)	(^|[^[:alnum:]_])ln[[:space:]]+-[a-zA-Z]*r	ln -sr a b
tar long options bsdtar lacks	(^|[^[:alnum:]_])tar[[:space:]][^|;]*--[a-z]	tar --transform 's/a/b/' -cf x.tar a
nproc without a fallback (macOS: sysctl -n hw.ncpu)	^[^|]*nproc[^|]*$	jobs=$(nproc)
mktemp without a template (older BSD needs one)	mktemp([[:space:]]+-d)?[[:space:]]*($|\)|;|&|\|)	T=$(mktemp -d)
coreutils-only commands (none on macOS)	(^[[:space:]]*|[;&|(`][[:space:]]*|-exec[[:space:]]+)(sha256sum|sha1sum|md5sum|timeout|tac|shuf|numfmt|truncate|flock|setsid|ionice|taskset|stdbuf)[[:space:]]	find . -exec sha256sum {} +
sort -V, du -b, wc -L (GNU's)	sort[[:space:]]+-[a-zA-Z]*V|(^|[^[:alnum:]_])du[[:space:]]+-[a-zA-Z]*b|wc[[:space:]]+-[a-zA-Z]*L	sort -V f
EOF
# lines FILE: its lines that are not comments, "N:text", bsdtar's long options erased.
lines() {
  grep -n '' "$1" | grep -v -E '^[0-9]+:[[:space:]]*#' | sed -E 's/--(no-same-owner|strip-components|exclude)//g'
}
while IFS="$tab" read -r name re example; do
  if printf '%s\n' "$example" | grep -q -E -- "$re"; then ok; else bad "the rule '$name' does not catch its example: $example"; fi
  for f in $scripts; do
    if lines "$f" | grep -E -- "$re" >"$T/hits"; then
      bad "${f#"$src"/}: $name:"; sed 's/^/    /' "$T/hits"
    else
      ok
    fi
  done
done <"$T/rules"

# A script that reads /proc says so (needs_proc): there is none on macOS.
for f in $scripts; do
  case "$f" in */needs.sh) continue ;; esac
  if lines "$f" | grep -q /proc && ! grep -q 'needs_proc ' "$f"; then bad "${f#"$src"/} reads /proc without needs_proc"; else ok; fi
done
# bash 4 (macOS ships 3.2) only behind needs_bash4.
bash4='declare -[a-zA-Z]*[Ag]|local -[a-zA-Z]*[An]|mapfile|readarray|\$\{[[:alnum:]_]+(,,?|\^\^?)\}|&>>|[[:space:]]\|&[[:space:]]|coproc|wait -n|BASHPID|\[-1\]\}|\{[[:alnum:]_]+\}[<>]|shopt -s (globstar|lastpipe)'
printf '%s\n' 'declare -A verdict=(' | grep -q -E "$bash4" && ok || bad "the bash 4 rule does not catch declare -A"
for f in $scripts; do
  if lines "$f" | grep -E -- "$bash4" >"$T/hits" && ! grep -q 'needs_bash4 ' "$f"; then
    bad "${f#"$src"/} uses bash 4 without needs_bash4:"; sed 's/^/    /' "$T/hits"
  else
    ok
  fi
done
# Every test script says what it needs, at its top, and sources needs.sh.
for f in "$src"/tests/*_test.sh; do
  if head -n 12 "$f" | grep -q '^# Needs:' && grep -q 'tests/needs.sh"' "$f"; then ok; else bad "${f#"$src"/} does not say what it needs (a '# Needs:' line at its top, tests/needs.sh)"; fi
done
# POSIX sh: setup.sh, needs.sh and this file, read by dash; the first two free of bash's own syntax.
bashisms='\[\[|[[:alnum:]_]+\+?=\(|BASH_SOURCE|(^|[;&|[:space:]])(local|function|source|declare|let)[[:space:]]|pipefail|\$'"'"'|==|<\(|>\(|echo -[en]|\$\{[[:alnum:]_]+(//?|:[0-9]|: -)|(^|[;&|[:space:]])\(\('
printf '%s\n' 'pkgs+=(doctest)' | grep -q -E "$bashisms" && ok || bad "the bashism rule does not catch an array"
for f in "$src/setup.sh" "$src/tests/needs.sh" "$src/tests/portable_test.sh"; do
  dash -n "$f" && ok || bad "dash -n ${f#"$src"/}"
  [ "$f" = "$src/tests/portable_test.sh" ] && continue
  if lines "$f" | grep -E -- "$bashisms" >"$T/hits"; then bad "${f#"$src"/} is not POSIX sh:"; sed 's/^/    /' "$T/hits"; else ok; fi
done

# 2. setup.sh run by dash with a userland that is not GNU's, the commands that would change the
#    machine (apt-get, sudo, brew, cmake, ctest, the checker) faked: it asks for what is missing,
#    builds with the right presets, stops at the first failure.
userland=$PATH
if command -v busybox >/dev/null 2>&1; then
  mkdir "$T/bb"
  busybox --install -s "$T/bb" 2>/dev/null
  # (Not every busybox installs links for --install -s: make them.)
  [ -e "$T/bb/sed" ] || for a in $(busybox --list); do ln -s "$(command -v busybox)" "$T/bb/$a"; done
  userland=$T/bb
fi
fake=$T/fake
mkdir -p "$fake" "$T/dojo/build"
cp "$src/setup.sh" "$T/dojo/"
log=$T/log
for tool in apt-get brew cmake ctest; do
  printf '#!/bin/sh\necho "%s $*${DEBIAN_FRONTEND:+ (DEBIAN_FRONTEND=$DEBIAN_FRONTEND)}" >>"%s"\n[ "$1" = list ] && exit 1\n[ "%s" = cmake ] && [ -n "${FAKE_CMAKE_FAILS:-}" ] && exit 1\nexit 0\n' \
    "$tool" "$log" "$tool" >"$fake/$tool"
done
printf '#!/bin/sh\necho "sudo $*" >>"%s"\nexec "$@"\n' "$log" >"$fake/sudo"
printf '#!/bin/sh\necho "${FAKE_UNAME:-Linux}"\n' >"$fake/uname"
printf '#!/bin/sh\necho 1000\n' >"$fake/id"
# dpkg-query -W -f=FORMAT PACKAGE: installed when PACKAGE is in FAKE_INSTALLED.
printf '#!/bin/sh\nfor p in ${FAKE_INSTALLED:-}; do [ "$p" = "$3" ] && { echo "install ok installed"; exit 0; }; done\nexit 1\n' >"$fake/dpkg-query"
printf '#!/bin/sh\necho "checker $*" >>"%s"\nexit 1\n' "$log" >"$T/dojo/build/checker"
chmod +x "$fake"/* "$T/dojo/build/checker"
all="g++ cmake ninja-build libeigen3-dev libcli11-dev libarchive-dev python3 python3-numpy bubblewrap doctest-dev python3-torch bsdutils librsvg2-bin dash busybox chromium"
run_setup() {  # run_setup [ENV=VALUE...] -- ARGS...: setup.sh by dash, its exit code in $code
  : >"$log"
  set -- env PATH="$fake:$userland" "$@"
  # (Not the caller's BPDOJO_WERROR: CI sets it for its own build; each case says what it wants.)
  (unset BPDOJO_WERROR; "$@") >"$T/out" 2>&1
  code=$?
}
logged() {  # logged TEXT WHAT: the log of faked commands has the line TEXT
  if grep -q -x -F -- "$1" "$log"; then ok; else bad "$2: no '$1' in"; sed 's/^/    /' "$log"; sed 's/^/    out: /' "$T/out"; fi
}
no_line() {  # no_line ERE WHAT
  if grep -q -E -- "$1" "$log"; then bad "$2"; sed 's/^/    /' "$log"; else ok; fi
}

run_setup "$dash" "$T/dojo/setup.sh" bogus
[ "$code" = 2 ] && grep -q "usage: bash setup.sh \[test\]" "$T/out" && ok || { bad "a wrong argument: exit $code, not 2 with the usage"; cat "$T/out"; }

run_setup FAKE_INSTALLED="g++ cmake ninja-build libeigen3-dev libcli11-dev libarchive-dev python3 bubblewrap" "$dash" "$T/dojo/setup.sh"
[ "$code" = 0 ] && ok || { bad "setup.sh by dash: exit $code"; sed 's/^/    /' "$T/out"; }
logged "sudo apt-get update -qq" "apt-get update through sudo"
logged "sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-numpy" "install what is missing"
logged "apt-get install -y -qq --no-install-recommends python3-numpy (DEBIAN_FRONTEND=noninteractive)" "noninteractive past sudo"
logged "cmake --preset default -DBPDOJO_WERROR=OFF" "configure"
grep -q -x -E 'cmake --build --preset learner -j [0-9]+' "$log" && ok || bad "the learner build with a job count"
logged "checker exercise_01" "the first check (its exit 1 is the stub's, not setup's)"
grep -q "Next: open exercises/exercise_01_chain_rule.cpp" "$T/out" && ok || bad "the next step is not printed"

run_setup FAKE_INSTALLED="$all" BPDOJO_WERROR=ON "$dash" "$T/dojo/setup.sh" test
[ "$code" = 0 ] && ok || { bad "setup.sh test by dash: exit $code"; sed 's/^/    /' "$T/out"; }
no_line "apt-get" "nothing missing, yet apt-get ran"
logged "cmake --preset default -DBPDOJO_WERROR=ON -DBPDOJO_BUILD_TESTS=ON" "configure the tests"
logged "ctest --preset default" "the fast suite"

run_setup FAKE_UNAME=Darwin "$dash" "$T/dojo/setup.sh" test
[ "$code" = 0 ] && ok || { bad "setup.sh test on a faked macOS: exit $code"; sed 's/^/    /' "$T/out"; }
logged "brew install cmake ninja eigen cli11 doctest" "Homebrew installs what is missing"
no_line "apt-get|dpkg" "apt-get on macOS"

run_setup FAKE_INSTALLED="$all" FAKE_CMAKE_FAILS=1 "$dash" "$T/dojo/setup.sh"
[ "$code" != 0 ] && ok || bad "a failing cmake did not stop setup.sh"
no_line "^checker" "setup.sh went on after a failing cmake"

# 3. The commands the test scripts share (tests/needs.sh) and the archive flags they use, in the
#    same userland.
printf '  grads.dx = (1.0 - cache.h.array().square()) * dh.array();\n' >"$T/ex.cpp"
env PATH="$userland" "$dash" -c '. "$1/tests/needs.sh" && edit "$2" "s|  grads.dx = (1.0 - cache.h.array().square()) \\* dh.array();|& std::abort();|" &&
  edit "$2" "s|grads.dx = (1.0|grads.dx = -(1.0|"' sh "$src" "$T/ex.cpp"
[ "$(cat "$T/ex.cpp")" = '  grads.dx = -(1.0 - cache.h.array().square()) * dh.array(); std::abort();' ] && ok ||
  bad "edit (tests/needs.sh) with this userland's sed: $(cat "$T/ex.cpp")"
[ ! -e "$T/ex.cpp.edit" ] && ok || bad "edit left its temporary file"
mkdir -p "$T/tar/in" "$T/tar/out" && echo x >"$T/tar/in/a.cpp"
(cd "$T/tar/in" && env PATH="$userland" tar -czf "$T/tar/a.tar.gz" a.cpp) &&
  env PATH="$userland" tar -tzf "$T/tar/a.tar.gz" | grep -q -x a.cpp &&
  env PATH="$userland" tar -xzf "$T/tar/a.tar.gz" -C "$T/tar/out" --no-same-owner && cmp -s "$T/tar/in/a.cpp" "$T/tar/out/a.cpp" && ok ||
  bad "tar -czf, -tzf, -xzf -C --no-same-owner with this userland's tar"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
