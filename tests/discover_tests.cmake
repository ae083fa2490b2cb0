# Turns the doctest cases of one test binary into ctest entries, one per case, labelled with the
# case's test suite: unit, e2e or deep; a case that runs the mistake catalogue's runners is in the
# suite "e2e.catalogue" or "deep.catalogue" and gets the label catalogue besides its tier (the clang
# and sanitizer builds leave the catalogue out, and their test presets leave out that label).
# (doctest_discover_tests' ADD_LABELS asks for each case's suite with an unescaped --test-case
# filter, which a comma in the case's name breaks; here one listing per suite does it, and a case in
# none of them is added without a label, for tests/check_labels.cmake to refuse.)
# A case whose name begins "each exercise: " becomes one entry per exercise of EXERCISES (the
# two-digit numbers), "exercise NN: <the rest>", run with BPDOJO_TEST_EXERCISE=NN (tests/support.hpp).
# usage: cmake -DEXE=<binary> -DOUT=<file.cmake> -DWORKDIR=<dir> -DEXERCISES=<NN,NN,...> -P discover_tests.cmake
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

string(REPLACE "," ";" EXERCISES "${EXERCISES}")
set(script "")
set(labelled "")
foreach(suite unit e2e deep e2e.catalogue deep.catalogue)
  list_cases(cases --test-suite=${suite})
  string(REPLACE "." ";" tier "${suite}")  # e2e.catalogue: the labels e2e and catalogue
  foreach(name IN LISTS cases)
    list(APPEND labelled "${name}")
    string(REPLACE "," "\\," filter "${name}")
    if(name MATCHES "^each exercise: (.*)$")
      set(rest "${CMAKE_MATCH_1}")
      foreach(nn IN LISTS EXERCISES)
        set(entry "exercise ${nn}: ${rest}")
        string(APPEND script "add_test([==[${entry}]==] [==[${EXE}]==] [==[--test-case=${filter}]==])\n"
                             "set_tests_properties([==[${entry}]==] PROPERTIES LABELS [==[${tier}]==] WORKING_DIRECTORY [==[${WORKDIR}]==]"
                             " ENVIRONMENT BPDOJO_TEST_EXERCISE=${nn})\n")
      endforeach()
    else()
      string(APPEND script "add_test([==[${name}]==] [==[${EXE}]==] [==[--test-case=${filter}]==])\n"
                           "set_tests_properties([==[${name}]==] PROPERTIES LABELS [==[${tier}]==] WORKING_DIRECTORY [==[${WORKDIR}]==])\n")
    endif()
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
