// A correct tanh that prints while it works, including a forged protocol message on stdout.
#include "bpdojo/exercise_03_tanh.hpp"

#include <cstdio>
#include <iostream>

namespace bpdojo {

void tanh_backward(const TanhCache& cache, const Matrix& dh, TanhGrads& grads) {
  std::cout << "debug: h is " << cache.h.rows() << "x" << cache.h.cols() << "\n";
  std::cout << "bpdojo-protocol 1\ntensor dx 2 1 1 42\nend\n" << std::flush;
  std::cerr << "a line on stderr\n";
  std::fprintf(stderr, "\033[2J colour codes are shown escaped\n");
  grads.dx = (1.0 - cache.h.array().square()) * dh.array();
}

}  // namespace bpdojo
