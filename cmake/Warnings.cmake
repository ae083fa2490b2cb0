# Warnings as interface targets. (No -Wpedantic: it changes predefined macros, and the runners'
# precompiled header must match every runner's flags.)
#   bpdojo_warnings          the project's own code: strict, and errors with BPDOJO_WERROR (CI).
#   bpdojo_learner_warnings  learner code: warnings shown, never fatal (stubs leave parameters unused).
add_library(bpdojo_warnings INTERFACE)
target_compile_options(bpdojo_warnings INTERFACE
  -Wall -Wextra -Wshadow -Wconversion -Wno-sign-conversion -Wnon-virtual-dtor
  -Wold-style-cast -Woverloaded-virtual -Wnull-dereference -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough
  $<$<BOOL:${BPDOJO_WERROR}>:-Werror>)

add_library(bpdojo_learner_warnings INTERFACE)
target_compile_options(bpdojo_learner_warnings INTERFACE -Wall -Wextra -Wno-unused-parameter)

# An access through a null pointer is left to fault (-fno-sanitize=null,pointer-overflow: clang's
# UBSan would end the process with exit code 1 first): AddressSanitizer reports it in the project's
# code, and a learner's runner ends with SIGSEGV as it does without the sanitizers, so the checker
# judges it the same (tests/test_hostile.cpp).
if(BPDOJO_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize=null,pointer-overflow -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
