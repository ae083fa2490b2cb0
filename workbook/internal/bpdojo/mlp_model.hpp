// Backprop Dojo: the MLP of exercises 06 to 08 as the workbook runs it: initialisation, batches,
// the forward pass (as a graph and plain), evaluation, sampling and the instance. Not the learner's:
// the network and its cache as learners see them are in bpdojo/mlp.hpp.
#pragma once

#include "bpdojo/exercise.hpp"
#include "bpdojo/mlp.hpp"
#include "bpdojo/names.hpp"
#include "bpdojo/rng.hpp"

#include <array>

namespace bpdojo {

// The seven parameters in the lecture's order, by name: every loop over them (the runner's reports,
// the checker's reading of checkpoints, exercise 08's gradient list) goes through this table.
struct MlpParamField {
  const char* name;
  Matrix MlpParams::*field;
};
inline constexpr std::array<MlpParamField, 7> kMlpParams = {{{"C", &MlpParams::C},
                                                             {"W1", &MlpParams::W1},
                                                             {"b1", &MlpParams::b1},
                                                             {"bngain", &MlpParams::bngain},
                                                             {"bnbias", &MlpParams::bnbias},
                                                             {"W2", &MlpParams::W2},
                                                             {"b2", &MlpParams::b2}}};

// The lecture's initialisation: C ~ N(0,1), W1 ~ N(0,1)*(5/3)/sqrt(30), b1, W2, b2 ~ N(0,1)*0.1,
// bngain ~ 1 + N(0,1)*0.1, bnbias ~ N(0,1)*0.1. Nothing starts at zero or one, so a wrong
// backward pass cannot hide behind a zero or a one. `scale` multiplies every spread (and
// bngain's distance from 1): exercise 08 checks at a second, larger draw, like trained weights.
MlpParams mlp_init(Rng rng, Index V, Index H, double scale = 1.0);

// A minibatch: N examples drawn uniformly (with replacement) from a split.
struct MlpBatch {
  IntMatrix Xb;  // (N,3) context indices
  Labels Yb;     // (N) next-character indices
};
MlpBatch draw_batch(const Split& split, Index N, Rng& rng);

// The forward pass as a graph of named steps (graph.hpp). Step by step, every intermediate of
// MlpCache is a node; fused, batch norm (hprebn -> hpreact) and cross-entropy (logits -> loss)
// are one step each, as exercise 07 differentiates them.
Graph mlp_graph(const MlpParams& p, const MlpBatch& batch, bool fused);
// The cache read off a step-by-step graph.
MlpCache mlp_cache(const Graph& step_by_step, const MlpBatch& batch);

// The same forward pass without the graph (training speed): every field of the cache. Equal to
// mlp_cache(mlp_graph(...)) up to rounding (tests/test_mlp.cpp). The second form writes every
// field of `c` again, in the storage it has when the sizes are the same (a training loop's steps).
MlpCache mlp_forward(const MlpParams& p, const MlpBatch& batch);
void mlp_forward(const MlpParams& p, const MlpBatch& batch, MlpCache& c);

// tanh of every element, vectorised: Eigen evaluates tanh of doubles one element at a time with
// the C library's, a quarter of a training step's time. Within 2 ulp of std::tanh (tests/test_mlp.cpp).
void tanh_into(const Matrix& x, Matrix& out);

// Batch norm's evaluation form: fixed statistics instead of the batch's (the lecture calibrates
// them over the whole training split after training).
struct BnStats {
  Matrix mean;  // (1,H)
  Matrix var;   // (1,H) with Bessel's correction, as in training
};
BnStats bn_calibrate(const MlpParams& p, const IntMatrix& X);
// Mean cross-entropy over (X, Y) with fixed batch-norm statistics.
double mlp_eval_loss(const MlpParams& p, const BnStats& bn, const IntMatrix& X, const Labels& Y);
// One name sampled from the model, character by character from '.' until '.' comes out.
std::string mlp_sample(const MlpParams& p, const BnStats& bn, const Vocabulary& vocab, Rng& rng,
                       int max_length = 64);

// The instance of exercises 06 and 07.
// The parameters from the lecture's initialisation and a training batch of data/names.txt, both
// drawn with the seed. Sizes: N batch, H hidden units.
struct MlpInstance {
  MlpParams params;
  MlpBatch batch;
};
MlpInstance mlp_instance(std::uint64_t seed, const Sizes& sizes);
// The sizes of exercises 06 and 07.
std::vector<SizeSpec> mlp_sizes();

}  // namespace bpdojo
