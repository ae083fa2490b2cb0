// Writes through a null pointer: a real fault, not a raised signal.
#include "bpdojo/exercise_03_tanh.hpp"

namespace bpdojo {

void tanh_backward(const TanhCache& cache, const Matrix& dh, TanhGrads& grads) {
  volatile double* volatile row = nullptr;  // volatile: the write is neither dropped nor known to fault
  row[3] = dh(0, 0);  // <- the trace names this line
}

}  // namespace bpdojo
