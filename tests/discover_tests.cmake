# Turns the doctest cases of one test binary into ctest entries, one per case, labelled with the
# case's test suite: unit, e2e or deep. (doctest_discover_tests' ADD_LABELS asks for each case's
# suite with an unescaped --test-case filter, which a comma in the case's name breaks; here one
# listing per suite does it, and a case in none of them is added without a label, for
# tests/check_labels.cmake to refuse.)
# usage: cmake -DEXE=<binary> -DOUT=<file.cmake> -DWORKDIR=<dir> -P discover_tests.cmake
cmake_minimum_required(VERSION 3.22)

function(list_cases out)
  execute_process(COMMAND ${EXE} ${ARGN} --list-test-cases --no-version=true WORKING_DIRECTORY ${WORKDIR}
                  OUTPUT_VARIABLE text RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${EXE} --list-test-cases failed (${rc})")
  endif()
  string(REPLACE ";" "\\;" text "${text}")
  string(REPLACE "\n" ";" lines "${text}")
  set(cases "")
  foreach(line IN LISTS lines)
    if(line STREQUAL "" OR line MATCHES "^===" OR line MATCHES "^\\[doctest\\] ")
      continue()
    endif()
    list(APPEND cases "${line}")
  endforeach()
  set(${out} "${cases}" PARENT_SCOPE)
endfunction()

set(script "")
set(labelled "")
foreach(tier unit e2e deep)
  list_cases(cases --test-suite=${tier})
  foreach(name IN LISTS cases)
    list(APPEND labelled "${name}")
    string(REPLACE "," "\\," filter "${name}")
    string(APPEND script "add_test([==[${name}]==] [==[${EXE}]==] [==[--test-case=${filter}]==])\n"
                         "set_tests_properties([==[${name}]==] PROPERTIES LABELS ${tier} WORKING_DIRECTORY [==[${WORKDIR}]==])\n")
  endforeach()
endforeach()
list_cases(all)
foreach(name IN LISTS all)
  if(NOT name IN_LIST labelled)
    string(REPLACE "," "\\," filter "${name}")
    string(APPEND script "add_test([==[${name}]==] [==[${EXE}]==] [==[--test-case=${filter}]==])\n")
  endif()
endforeach()
file(WRITE ${OUT} "${script}")
