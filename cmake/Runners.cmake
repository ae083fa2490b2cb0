# The exercises, in the learner's order. Each NN_slug names workbook/stubs/exercise_NN_slug.cpp,
# exercises/exercise_NN_slug.cpp and solutions/exercise_NN_slug.cpp.
set(BPDOJO_EXERCISES 01_chain_rule 02_linear 03_tanh 04_cross_entropy 05_batch_norm 06_mlp 07_mlp_fused 08_train
                     09_activations 10_residual 11_deep 12_layer_norm 13_rnn 14_attention 15_gpt
                     16_autograd 17_optimizers)

# How a runner's exercise file is compiled. Its cost is Eigen's template instantiation, which
# -O2 and full debug info double: -O1 with line tables keeps the edit-to-verdict loop short
# (bench/edit_to_verdict.sh) and still gives a backtrace. The precompiled header matches it.
set(BPDOJO_RUNNER_OPTIONS $<$<NOT:$<CONFIG:Debug>>:-O1 -g1>)
# Exercise 08's runner trains with the learner's backward pass, thousands of steps: at -O2 it takes
# 7 % more steps per second at H = 200 (bench/README.md; -O2 accepts the -O1 precompiled header).
# The other training runners spend their time in the workbook's code: 13 and 15 gained nothing.
set(BPDOJO_TRAINING_RUNNERS 08)

# Runners link with gold where the toolchain has it (binutils on Linux): 0.13 s against GNU ld's
# 0.20 s, at each edit-to-verdict (bench/README.md). `checker grade` links submissions the same way.
include(CheckLinkerFlag)
check_linker_flag(CXX -fuse-ld=gold BPDOJO_HAVE_GOLD)
if(BPDOJO_HAVE_GOLD)
  set(BPDOJO_RUNNER_LINK_OPTIONS -fuse-ld=gold)
endif()

# bpdojo_add_runner(<target> <output-dir> <source> <NN> LEARNER|PRISTINE|STRICT)
# A runner: one exercise file linked with the workbook and the shared runner main. Its executable
# is <output-dir>/exercise_NN.
function(bpdojo_add_runner target outdir source nn kind)
  add_executable(${target} ${source})
  set_target_properties(${target} PROPERTIES OUTPUT_NAME exercise_${nn} RUNTIME_OUTPUT_DIRECTORY ${outdir})
  target_link_libraries(${target} PRIVATE bpdojo_runner_${nn})
  target_precompile_headers(${target} REUSE_FROM bpdojo_pch)
  target_compile_options(${target} PRIVATE ${BPDOJO_RUNNER_OPTIONS})
  target_link_options(${target} PRIVATE ${BPDOJO_RUNNER_LINK_OPTIONS})
  if(nn IN_LIST BPDOJO_TRAINING_RUNNERS)
    target_compile_options(${target} PRIVATE $<$<NOT:$<CONFIG:Debug>>:-O2>)
  endif()
  if(kind STREQUAL "STRICT")
    target_link_libraries(${target} PRIVATE bpdojo_warnings)
  else()
    target_link_libraries(${target} PRIVATE bpdojo_learner_warnings)
  endif()
  # The stubs as shipped must compile without a single warning under the learner's flags.
  if(kind STREQUAL "PRISTINE" AND BPDOJO_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# bpdojo_add_runners(<prefix> <source-dir> <output-dir> LEARNER|STRICT): one runner per exercise.
function(bpdojo_add_runners prefix srcdir outdir kind)
  foreach(ex IN LISTS BPDOJO_EXERCISES)
    string(SUBSTRING ${ex} 0 2 nn)
    bpdojo_add_runner(${prefix}${nn} ${outdir} ${srcdir}/exercise_${ex}.cpp ${nn} ${kind})
  endforeach()
endfunction()
