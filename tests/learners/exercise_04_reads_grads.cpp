// Right, and written by reading gradients back through grads: each step uses the Grad set the line
// before in an Eigen expression, with its methods, in products and sums, and the broadcasts as the
// hints of exercise 04 spell them. It must compile and pass every gradient.
#include "bpdojo/exercise_04_cross_entropy.hpp"

namespace bpdojo {

void cross_entropy_backward(const CrossEntropyCache& c, CrossEntropyGrads& grads) {
  const Index N = c.logits.rows(), V = c.logits.cols();
  grads.dlogprobs = Matrix::Zero(N, V);
  Matrix onehot = Matrix::Zero(N, V);
  for (Index n = 0; n < N; ++n) onehot(n, c.Y[n]) = 1.0;
  grads.dlogprobs = -onehot / static_cast<double>(N);
  grads.dprobs = c.probs.array().inverse() * grads.dlogprobs.array();
  grads.dcounts_sum_inv = (c.counts.array() * grads.dprobs.array()).rowwise().sum();
  grads.dcounts_sum = -c.counts_sum.array().square().inverse() * grads.dcounts_sum_inv.array();
  // The two paths into counts, as hint 3 of dcounts writes them.
  Matrix dcounts = grads.dprobs.array().colwise() * c.counts_sum_inv.col(0).array();
  dcounts.colwise() += grads.dcounts_sum.col(0);
  grads.dcounts = dcounts;
  grads.dnorm_logits = c.counts.cwiseProduct(grads.dcounts.value());  // (an argument of Eigen's: .value())
  grads.dlogit_maxes = -grads.dnorm_logits.rowwise().sum();
  Matrix dlogits = grads.dnorm_logits;
  for (Index n = 0; n < N; ++n) {
    Index argmax = 0;
    c.logits.row(n).maxCoeff(&argmax);
    dlogits(n, argmax) += grads.dlogit_maxes(n, 0);
  }
  // A Grad in sums and products with matrices, other Grads and scalars.
  grads.dlogits = 0.5 * (dlogits + grads.dnorm_logits) + (dlogits - grads.dnorm_logits) / 2.0;
}

void cross_entropy_backward_fused(const Matrix& logits, const Labels& Y, CrossEntropyFusedGrads& grads) {
  const Index N = logits.rows();
  const Matrix exps = (logits.colwise() - logits.rowwise().maxCoeff()).array().exp();
  grads.dlogits_fused = exps.array().colwise() / exps.rowwise().sum().array();
  Matrix d = grads.dlogits_fused;
  for (Index n = 0; n < N; ++n) d(n, Y[n]) -= 1.0;
  grads.dlogits_fused = d / static_cast<double>(N);
  grads.dlogits_fused = -(-grads.dlogits_fused * Matrix::Identity(d.cols(), d.cols()));
}

}  // namespace bpdojo
