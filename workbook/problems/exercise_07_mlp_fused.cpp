// Exercise 07: the problem is the whole MLP with batch norm and cross-entropy as one step each.
#include "bpdojo/exercise_07_mlp_fused.hpp"
#include "bpdojo/mlp_model.hpp"

namespace bpdojo {

ExerciseInfo exercise_07_info() {
  const char* f = "mlp_backward_fused";
  std::vector<GradientSpec> grads;
  for (const char* node : {"logits", "h", "W2", "b2", "hpreact", "bngain", "bnbias", "hprebn", "embcat", "W1", "b1",
                           "emb", "C"})
    grads.push_back({std::string("d") + node, 0, node, f});
  return {7, "mlp_fused", "the whole MLP, fused layers", "exercise_07_mlp_fused.cpp", mlp_sizes(), std::move(grads),
          [](std::uint64_t seed, const Sizes& sizes) {
            const MlpInstance in = mlp_instance(seed, sizes);
            return std::vector<Graph>{mlp_graph(in.params, in.batch, true)};
          }};
}

}  // namespace bpdojo
