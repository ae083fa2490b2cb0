# The mistake catalogue: realistic wrong solutions, each made from a reference solution by one
# textual edit, so a catalogue entry stays in step with the solution it breaks.
#
# bpdojo_mistake(<name> <NN> FIND <text> REPLACE <text> FAILS <gradient>... [FIND ... REPLACE ...]
#                [LINES <gradient>...] [DIAGNOSIS <gradient>=<kind>...] [INSTANCE_SIZED]
#                [AT_OTHER_SIZES <gradient>...])
#   FIND must occur exactly once in solutions/exercise_NN_*.cpp. FAILS lists every gradient the
#   edit breaks (the line itself and everything the learner computes from it); every other
#   gradient of the exercise must still pass. LINES, where given, lists exactly the gradients whose
#   own line is wrong (the local check must name those and no other). DIAGNOSIS, where given,
#   lists the diagnosis each named gradient must get (checker/src/judge/diagnose.hpp); no failing
#   gradient outside it may get one of a kind it does not list. tests/test_mistakes.cpp
#   checks all of it, with margins: at the default sizes on every seed; at the edges of the sizes
#   (each letter's minimum and maximum, grading's two ends) too, where a gradient the edit breaks
#   may also coincide with the right one (a sum over a batch of one: correct, 100x below the
#   threshold). AT_OTHER_SIZES lists gradients the edit cannot reach at the default sizes but can
#   at others (a truncation longer than the default K lets h0 hear of a name's end): correct at the
#   defaults, and at the edges either wrong 100x above the threshold or coinciding.
#   INSTANCE_SIZED marks an edit whose error the instance sets rather than the edit
#   (eps left out of batch norm: eps / (2 var), var the batch's): 100x above the threshold at the
#   default sizes, and at the edges at least wrong (above the threshold), its smallest reported.
#
# bpdojo_variant(<name> <NN> FIND <text> REPLACE <text> [FIND ... REPLACE ...])
#   The other way round: a solution that is right but computed differently (the fused formula where
#   the exercise goes step by step or the reverse, pow(x, -0.5) for rsqrt, another order of
#   summation, multiplying by 1/N for dividing by N), made the same way. Every gradient of it must
#   be correct at least 100x below the threshold (tests/test_mistakes.cpp), so the threshold is
#   seen to accept rounding that differs from the reference's and not only the reference itself.
#   Variants are optional: an exercise without one is not asked for any. Each must be right
#   mathematically, exactly: an edit that changes the gradient by a hair is a mistake, not a variant.
#
# The edited file is made at build time (apply_mistake.cmake), so editing a solution never makes
# CMake reconfigure: rebuilding one runner stays as fast as compiling one file. Mistakes are built in
# build/mistakes/<name>, variants in build/variants/<name>; both are in bpdojo_mistake_runners.
set(BPDOJO_MISTAKE_MANIFEST ${CMAKE_BINARY_DIR}/mistakes/manifest.txt)
file(WRITE ${BPDOJO_MISTAKE_MANIFEST}.new "")
# One line per variant: <name> <NN> <runner>.
set(BPDOJO_VARIANT_MANIFEST ${CMAKE_BINARY_DIR}/variants/manifest.txt)
file(WRITE ${BPDOJO_VARIANT_MANIFEST}.new "")
set(BPDOJO_MISTAKE_TARGETS "" CACHE INTERNAL "")

# The edited copy of solutions/exercise_NN_*.cpp and its runner, <what>_<name> in <dir>.
function(bpdojo_edited_runner what name nn dir finds replaces)
  file(GLOB solution ${PROJECT_SOURCE_DIR}/solutions/exercise_${nn}_*.cpp)
  if(NOT solution)
    message(FATAL_ERROR "${what} ${name}: no solutions/exercise_${nn}_*.cpp")
  endif()
  list(LENGTH finds nfind)
  list(LENGTH replaces nrep)
  if(NOT nfind EQUAL nrep OR nfind EQUAL 0)
    message(FATAL_ERROR "${what} ${name}: FIND and REPLACE must pair up")
  endif()
  set(spec "set(MISTAKE_NAME ${name})\nset(EDIT_COUNT ${nfind})\n")
  math(EXPR last "${nfind} - 1")
  foreach(i RANGE ${last})
    list(GET finds ${i} find)
    list(GET replaces ${i} replace)
    string(APPEND spec "set(FIND_${i} [==[${find}]==])\nset(REPLACE_${i} [==[${replace}]==])\n")
  endforeach()
  file(CONFIGURE OUTPUT ${dir}/spec.cmake CONTENT "${spec}" @ONLY)
  get_filename_component(base ${solution} NAME)
  set(out ${dir}/${base})
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DSPEC=${dir}/spec.cmake -DSOLUTION=${solution} -DOUTPUT=${out}
            -P ${PROJECT_SOURCE_DIR}/tests/mistakes/apply_mistake.cmake
    DEPENDS ${solution} ${dir}/spec.cmake ${PROJECT_SOURCE_DIR}/tests/mistakes/apply_mistake.cmake
    COMMENT "${what} ${name}")
  bpdojo_add_runner(${what}_${name} ${dir} ${out} ${nn} LEARNER)
  # -Og compiles these 23 % faster than the learners' -O1 and runs them as fast (the heavy loops are
  # the workbook's); a learner's runner stays at -O1, where GCC still warns of an uninitialised
  # variable (tests/test_workspace.cpp), which -Og misses. The precompiled header serves both.
  target_compile_options(${what}_${name} PRIVATE $<$<NOT:$<CONFIG:Debug>>:-Og>)
  set(BPDOJO_MISTAKE_TARGETS ${BPDOJO_MISTAKE_TARGETS} ${what}_${name} CACHE INTERNAL "")
endfunction()

function(bpdojo_mistake name nn)
  cmake_parse_arguments(PARSE_ARGV 2 M "INSTANCE_SIZED" "" "FIND;REPLACE;FAILS;LINES;DIAGNOSIS;AT_OTHER_SIZES")
  if(NOT M_FAILS)
    message(FATAL_ERROR "mistake ${name}: no FAILS (a right solution computed differently is a bpdojo_variant)")
  endif()
  set(dir ${CMAKE_BINARY_DIR}/mistakes/${name})
  bpdojo_edited_runner(mistake ${name} ${nn} ${dir} "${M_FIND}" "${M_REPLACE}")
  string(JOIN " " fails ${M_FAILS})
  if(DEFINED M_LINES)
    string(JOIN " " lines ${M_LINES})
    string(APPEND fails " | ${lines}")
  endif()
  if(DEFINED M_DIAGNOSIS)
    string(JOIN " " diagnoses ${M_DIAGNOSIS})
    string(APPEND fails " @ ${diagnoses}")
  endif()
  if(M_INSTANCE_SIZED)
    string(APPEND fails " ~")
  endif()
  if(DEFINED M_AT_OTHER_SIZES)
    string(JOIN " " others ${M_AT_OTHER_SIZES})
    string(APPEND fails " ^ ${others}")
  endif()
  file(APPEND ${BPDOJO_MISTAKE_MANIFEST}.new "${name} ${nn} ${dir}/exercise_${nn} ${fails}\n")
endfunction()

function(bpdojo_variant name nn)
  cmake_parse_arguments(PARSE_ARGV 2 V "" "" "FIND;REPLACE")
  if(V_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "variant ${name}: unexpected ${V_UNPARSED_ARGUMENTS} (a variant fails nothing: no FAILS)")
  endif()
  set(dir ${CMAKE_BINARY_DIR}/variants/${name})
  bpdojo_edited_runner(variant ${name} ${nn} ${dir} "${V_FIND}" "${V_REPLACE}")
  file(APPEND ${BPDOJO_VARIANT_MANIFEST}.new "${name} ${nn} ${dir}/exercise_${nn}\n")
endfunction()
