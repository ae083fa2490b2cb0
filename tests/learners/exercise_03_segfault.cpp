// Dies of a signal.
#include "bpdojo/exercise_03_tanh.hpp"

#include <csignal>

namespace bpdojo {

void tanh_backward(const TanhCache& cache, const Matrix& dh, TanhGrads& grads) {
  std::raise(SIGSEGV);  // <- the trace names this line
}

}  // namespace bpdojo
