# The mistake catalogue: realistic wrong solutions, each made from a reference solution by one
# textual edit, so a catalogue entry stays in step with the solution it breaks.
#
# bpdojo_mistake(<name> <NN> FIND <text> REPLACE <text> FAILS <gradient>... [FIND ... REPLACE ...]
#                [LINES <gradient>...] [DIAGNOSIS <gradient>=<kind>...])
#   FIND must occur exactly once in solutions/exercise_NN_*.cpp. FAILS lists every gradient the
#   edit breaks (the line itself and everything the learner computes from it); every other
#   gradient of the exercise must still pass. LINES, where given, lists exactly the gradients whose
#   own line is wrong (the local check must name those and no other). DIAGNOSIS, where given,
#   lists the diagnosis each named gradient must get (checker/src/judge/diagnose.hpp); no failing
#   gradient outside it may get one of a kind it does not list. tests/test_mistakes.cpp
#   checks all of it, with margins.
#
# The edited file is made at build time (apply_mistake.cmake), so editing a solution never makes
# CMake reconfigure: rebuilding one runner stays as fast as compiling one file.
set(BPDOJO_MISTAKE_MANIFEST ${CMAKE_BINARY_DIR}/mistakes/manifest.txt)
file(WRITE ${BPDOJO_MISTAKE_MANIFEST}.new "")
set(BPDOJO_MISTAKE_TARGETS "" CACHE INTERNAL "")

function(bpdojo_mistake name nn)
  cmake_parse_arguments(PARSE_ARGV 2 M "" "" "FIND;REPLACE;FAILS;LINES;DIAGNOSIS")
  file(GLOB solution ${PROJECT_SOURCE_DIR}/solutions/exercise_${nn}_*.cpp)
  if(NOT solution)
    message(FATAL_ERROR "mistake ${name}: no solutions/exercise_${nn}_*.cpp")
  endif()
  list(LENGTH M_FIND nfind)
  list(LENGTH M_REPLACE nrep)
  if(NOT nfind EQUAL nrep OR nfind EQUAL 0)
    message(FATAL_ERROR "mistake ${name}: FIND and REPLACE must pair up")
  endif()
  set(dir ${CMAKE_BINARY_DIR}/mistakes/${name})
  set(spec "set(MISTAKE_NAME ${name})\nset(EDIT_COUNT ${nfind})\n")
  math(EXPR last "${nfind} - 1")
  foreach(i RANGE ${last})
    list(GET M_FIND ${i} find)
    list(GET M_REPLACE ${i} replace)
    string(APPEND spec "set(FIND_${i} [==[${find}]==])\nset(REPLACE_${i} [==[${replace}]==])\n")
  endforeach()
  file(CONFIGURE OUTPUT ${dir}/spec.cmake CONTENT "${spec}" @ONLY)
  get_filename_component(base ${solution} NAME)
  set(out ${dir}/${base})
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DSPEC=${dir}/spec.cmake -DSOLUTION=${solution} -DOUTPUT=${out}
            -P ${PROJECT_SOURCE_DIR}/tests/mistakes/apply_mistake.cmake
    DEPENDS ${solution} ${dir}/spec.cmake ${PROJECT_SOURCE_DIR}/tests/mistakes/apply_mistake.cmake
    COMMENT "Mistake ${name}")
  bpdojo_add_runner(mistake_${name} ${dir} ${out} ${nn} LEARNER)
  string(JOIN " " fails ${M_FAILS})
  if(DEFINED M_LINES)
    string(JOIN " " lines ${M_LINES})
    string(APPEND fails " | ${lines}")
  endif()
  if(DEFINED M_DIAGNOSIS)
    string(JOIN " " diagnoses ${M_DIAGNOSIS})
    string(APPEND fails " @ ${diagnoses}")
  endif()
  file(APPEND ${BPDOJO_MISTAKE_MANIFEST}.new "${name} ${nn} ${dir}/exercise_${nn} ${fails}\n")
  set(BPDOJO_MISTAKE_TARGETS ${BPDOJO_MISTAKE_TARGETS} mistake_${name} CACHE INTERNAL "")
endfunction()
