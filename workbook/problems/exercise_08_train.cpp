// Exercise 08: the gradient check of the training exercise (the same network as 07, at two
// parameter sets); the training itself is judged by checker/src/training.cpp.
#include "problems/exercise_08_train.hpp"

namespace bpdojo {

TrainInstance exercise_08_instance(std::uint64_t seed, const Sizes& sizes) {
  const NamesDataset& data = builtin_names();
  const Index V = data.vocab.size(), H = sizes.at("H");
  Rng rng(seed);
  Rng rb = rng.fork("batch");
  return {mlp_init(rng.fork("params"), V, H), mlp_init(rng.fork("scaled"), V, H, kTrainScale),
          draw_batch(data.train, sizes.at("N"), rb)};
}

UpdateCheck exercise_08_update_check(std::uint64_t seed, const Sizes& sizes) {
  UpdateCheck u;
  u.start = exercise_08_instance(seed, sizes).scaled;
  Rng rng = Rng(seed).fork("update");
  for (MlpParamGrads* g : {&u.g1, &u.g2})
    for (std::size_t k = 0; k < kMlpParams.size(); ++k) {
      const Matrix& p = u.start.*(kMlpParams[k].field);
      g->*(kMlpParamGrads[k]) = rng.normal_matrix(p.rows(), p.cols());
    }
  return u;
}

double learning_rate(std::int64_t step, std::int64_t steps, double lr) { return step < steps / 2 ? lr : lr / 10.0; }

std::vector<std::int64_t> checkpoints(std::int64_t steps) {
  std::vector<std::int64_t> out{0};
  const std::int64_t k = std::min<std::int64_t>(20, steps);
  for (std::int64_t i = 1; i <= k; ++i) out.push_back(steps * i / k);
  return out;
}

ExerciseInfo exercise_08_info() {
  const char* f = "mlp_param_backward";
  std::vector<GradientSpec> grads;
  for (int problem : {0, 1})
    for (const auto& param : kMlpParams)
      grads.push_back({std::string(problem ? "scaled.d" : "init.d") + param.name, problem, param.name, f});
  ExerciseInfo info{8,
                    "train",
                    "train the MLP",
                    "exercise_08_train.cpp",
                    {{"N", "batch size", 32, 2, 512}, {"H", "hidden units", 64, 1, 1024},
                     {"S", "training steps", 20000, 0, 10000000, false}},
                    std::move(grads),
                    [](std::uint64_t seed, const Sizes& sizes) {
                      const TrainInstance in = exercise_08_instance(seed, sizes);
                      return std::vector<Graph>{mlp_graph(in.init, in.batch, true),
                                                mlp_graph(in.scaled, in.batch, true)};
                    }};
  info.trains = true;
  info.timeout_seconds = 60.0;
  return info;
}

}  // namespace bpdojo
