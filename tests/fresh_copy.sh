# A fresh copy of the workbook, as a learner has it after `bash setup.sh`: the sources, stubs in
# exercises/, and a build folder where the checker builds each exercise's runner the first time it
# is checked (-O1 as runners are, without debug information, which only compile times would
# notice). The scripts that edit exercises in one (tests/cli_test.sh, tests/verdicts_test.sh) share
# the workbook library's build, most of a copy's cost:
#   bash fresh_copy.sh SOURCE_DIR COPY   (ctest's fixture fresh_copy) configures a copy at COPY,
#                                        builds what every runner links, and keeps it as COPY.built
# and a script sourcing this file calls `fresh_copy SOURCE_DIR` to get, in $work, COPY again as
# COPY.built left it (the same path: a build folder cannot move), when BPDOJO_FRESH_COPY=COPY says
# where it is and the entry holds the lock on it (RESOURCE_LOCK fresh_copy). Run by hand, without
# it, the script configures a copy of its own in a temporary folder, and the checker builds the
# library too.
fresh_copy_files() {  # fresh_copy_files SOURCE_DIR DEST
  mkdir -p "$2/exercises" "$2/docs" &&
    cp -R "$1"/CMakeLists.txt "$1"/CMakePresets.json "$1"/cmake "$1"/workbook "$1"/checker "$1"/solutions \
      "$1"/data "$1"/bench "$2"/ &&
    cp "$1"/exercises/CMakeLists.txt "$2/exercises/" &&
    cp "$1"/workbook/stubs/*.cpp "$2/exercises/" &&
    cmake -S "$2" -B "$2/build" -G Ninja -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g0" \
      -DBPDOJO_BUILD_TESTS=OFF >"$2/configure.log" 2>&1
}
fresh_copy() {  # fresh_copy SOURCE_DIR: sets work
  if [ -n "${BPDOJO_FRESH_COPY:-}" ]; then
    if [ ! -f "$BPDOJO_FRESH_COPY.built/build/build.ninja" ]; then
      echo "FAIL: no fresh copy at $BPDOJO_FRESH_COPY.built (ctest runs the entry fresh_copy first)"
      exit 1
    fi
    rm -rf "$BPDOJO_FRESH_COPY"
    # -p keeps the times: ninja finds the library built.
    cp -R -p "$BPDOJO_FRESH_COPY.built" "$BPDOJO_FRESH_COPY" || { echo "FAIL: copying $BPDOJO_FRESH_COPY.built"; exit 1; }
    work=$BPDOJO_FRESH_COPY
    return
  fi
  work=$(mktemp -d "${TMPDIR:-/tmp}/bpdojo_fresh_copy.XXXXXX")
  if ! fresh_copy_files "$1" "$work"; then
    echo "FAIL: configuring a fresh copy"; tail -n 20 "$work/configure.log"; rm -rf "$work"; exit 1
  fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -u
  src=$1 copy=$2
  . "$src/tests/needs.sh"
  needs cmake "configures a fresh copy of the workbook"
  needs ninja "builds the fresh copy"
  rm -rf "$copy" "$copy.built"
  if ! fresh_copy_files "$src" "$copy"; then
    echo "FAIL: configuring a fresh copy"; tail -n 20 "$copy/configure.log"; exit 1
  fi
  # What every runner links: the workbook, the runner core and main, and the precompiled header
  # (an exercise's glue, the learner's file and the link are the checker's to build, per exercise).
  if ! cmake --build "$copy/build" --target bpdojo_workbook bpdojo_runner_core bpdojo_runner_main bpdojo_pch \
         >"$copy/build.log" 2>&1; then
    echo "FAIL: building the fresh copy's workbook"; tail -n 30 "$copy/build.log"; exit 1
  fi
  mv "$copy" "$copy.built"
  echo "a fresh copy of the workbook, its library built: $copy.built"
fi
