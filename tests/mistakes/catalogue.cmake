# The catalogue of mistakes (see Mistakes.cmake): one file per exercise, tests/mistakes/exercise_NN.cmake,
# with one entry per realistic mistake. An exercise without a file has no catalogue yet.
foreach(ex IN LISTS BPDOJO_EXERCISES)
  string(SUBSTRING ${ex} 0 2 nn)
  if(EXISTS ${CMAKE_CURRENT_LIST_DIR}/exercise_${nn}.cmake)
    include(${CMAKE_CURRENT_LIST_DIR}/exercise_${nn}.cmake)
  endif()
endforeach()
