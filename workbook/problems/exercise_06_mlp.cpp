// Exercise 06: the problem is the whole MLP step by step (bpdojo/mlp_model.hpp), on the instance's batch.
#include "bpdojo/exercise_06_mlp.hpp"
#include "bpdojo/mlp_model.hpp"

namespace bpdojo {

ExerciseInfo exercise_06_info() {
  const char* f = "mlp_backward";
  std::vector<GradientSpec> grads;
  for (const char* node : {"logprobs", "probs", "counts_sum_inv", "counts_sum", "counts", "norm_logits", "logit_maxes",
                           "logits", "h", "W2", "b2", "hpreact", "bngain", "bnbias", "bnraw", "bnvar_inv", "bnvar",
                           "bndiff2", "bndiff", "bnmeani", "hprebn", "embcat", "W1", "b1", "emb", "C"})
    grads.push_back({std::string("d") + node, 0, node, f});
  return {6, "mlp", "the whole MLP, every intermediate", "exercise_06_mlp.cpp", mlp_sizes(), std::move(grads),
          [](std::uint64_t seed, const Sizes& sizes) {
            const MlpInstance in = mlp_instance(seed, sizes);
            return std::vector<Graph>{mlp_graph(in.params, in.batch, false)};
          }};
}

}  // namespace bpdojo
