#include "bpdojo/eigen.hpp"

#include <cstring>
#include <stdexcept>
#include <string>

namespace bpdojo::detail {

void eigen_assert_failed(const char* condition, const char* file, int line) {
  const char* base = std::strrchr(file, '/');
  throw std::logic_error(std::string("Eigen: shapes or indices do not fit: ") + condition + " (" +
                         (base ? base + 1 : file) + ":" + std::to_string(line) + ")");
}

}  // namespace bpdojo::detail

#ifdef BPDOJO_EIGEN_PRODUCTS
BPDOJO_EIGEN_PRODUCTS(template)
#endif
