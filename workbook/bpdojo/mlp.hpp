// Backprop Dojo: the character-level MLP of the "backprop ninja" lecture (exercises 06 to 08).
//
// Three characters in, the next one out:
//     emb     = C[Xb]                          (N,3,10)  stored (N*3,10): row n*3+k is C[Xb[n][k]]
//     embcat  = emb viewed as (N,30)           (the same numbers: a no-op in row-major storage)
//     hprebn  = embcat @ W1 + b1               (N,H)
//     batch norm (Bessel's n-1, eps 1e-5) with bngain, bnbias -> hpreact (N,H)
//     h       = tanh(hpreact)                  (N,H)
//     logits  = h @ W2 + b2                    (N,V)
//     loss    = softmax cross-entropy of logits against Yb, mean over the batch
// V is the vocabulary of the names file (27 for data/names.txt), H the hidden units.
#pragma once

#include "bpdojo/exercise.hpp"
#include "bpdojo/learner.hpp"
#include "bpdojo/names.hpp"
#include "bpdojo/rng.hpp"

#include <array>

namespace bpdojo {

inline constexpr Index kBlockSize = 3;   // characters of context
inline constexpr Index kEmbedding = 10;  // dimensions of a character's embedding
inline constexpr double kBnEps = 1e-5;   // batch norm's epsilon, as in the lecture

struct MlpParams {
  Matrix C;       // (V,10) one embedding per character
  Matrix W1;      // (30,H)
  Matrix b1;      // (1,H)
  Matrix bngain;  // (1,H)
  Matrix bnbias;  // (1,H)
  Matrix W2;      // (H,V)
  Matrix b2;      // (1,V)
};

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

// Everything the step-by-step forward pass computes, with the lecture's names.
struct MlpCache {
  // the parameters and the batch
  Matrix C, W1, b1, bngain, bnbias, W2, b2;
  IntMatrix Xb;  // (N,3)
  Labels Yb;     // (N)
  // the forward pass
  Matrix emb;             // (N*3,10)
  Matrix embcat;          // (N,30)
  Matrix hprebn;          // (N,H)
  Matrix bnmeani;         // (1,H)
  Matrix bndiff;          // (N,H)
  Matrix bndiff2;         // (N,H)
  Matrix bnvar;           // (1,H)
  Matrix bnvar_inv;       // (1,H)
  Matrix bnraw;           // (N,H)
  Matrix hpreact;         // (N,H)
  Matrix h;               // (N,H)
  Matrix logits;          // (N,V)
  Matrix logit_maxes;     // (N,1)
  Matrix norm_logits;     // (N,V)
  Matrix counts;          // (N,V)
  Matrix counts_sum;      // (N,1)
  Matrix counts_sum_inv;  // (N,1)
  Matrix probs;           // (N,V)
  Matrix logprobs;        // (N,V)
  double loss = 0.0;
};

// The forward pass as a graph of named steps (graph.hpp). Step by step, every intermediate of
// MlpCache is a node; fused, batch norm (hprebn -> hpreact) and cross-entropy (logits -> loss)
// are one step each, as exercise 07 differentiates them.
Graph mlp_graph(const MlpParams& p, const MlpBatch& batch, bool fused);
// The cache read off a step-by-step graph.
MlpCache mlp_cache(const Graph& step_by_step, const MlpBatch& batch);

// The same forward pass without the graph (training speed): every field of the cache. Equal to
// mlp_cache(mlp_graph(...)) up to rounding (tests/test_mlp.cpp).
MlpCache mlp_forward(const MlpParams& p, const MlpBatch& batch);

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

// ---- the instance of exercises 06 and 07 (built by the workbook; runner and checker use it) ----
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
