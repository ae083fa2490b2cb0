// Exercise 06: the whole MLP, backwards through every intermediate. The signature you implement in
// exercises/exercise_06_mlp.cpp. Shapes: N batch, H hidden units, V vocabulary (27).
// The network and the cache are in bpdojo/mlp.hpp. Matrices are row-major.
#pragma once

#include "bpdojo/mlp.hpp"

namespace bpdojo {

// The 26 gradients, in the order the backward pass computes them (the lecture's names).
struct MlpGrads {
  Grad dlogprobs{"dlogprobs"};            // (N,V)
  Grad dprobs{"dprobs"};                  // (N,V)
  Grad dcounts_sum_inv{"dcounts_sum_inv"};  // (N,1)
  Grad dcounts_sum{"dcounts_sum"};        // (N,1)
  Grad dcounts{"dcounts"};                // (N,V)
  Grad dnorm_logits{"dnorm_logits"};      // (N,V)
  Grad dlogit_maxes{"dlogit_maxes"};      // (N,1)
  Grad dlogits{"dlogits"};                // (N,V)
  Grad dh{"dh"};                          // (N,H)
  Grad dW2{"dW2"};                        // (H,V)
  Grad db2{"db2"};                        // (1,V)
  Grad dhpreact{"dhpreact"};              // (N,H)
  Grad dbngain{"dbngain"};                // (1,H)
  Grad dbnbias{"dbnbias"};                // (1,H)
  Grad dbnraw{"dbnraw"};                  // (N,H)
  Grad dbnvar_inv{"dbnvar_inv"};          // (1,H)
  Grad dbnvar{"dbnvar"};                  // (1,H)
  Grad dbndiff2{"dbndiff2"};              // (N,H)
  Grad dbndiff{"dbndiff"};                // (N,H)
  Grad dbnmeani{"dbnmeani"};              // (1,H)
  Grad dhprebn{"dhprebn"};                // (N,H)
  Grad dembcat{"dembcat"};                // (N,30)
  Grad dW1{"dW1"};                        // (30,H)
  Grad db1{"db1"};                        // (1,H)
  Grad demb{"demb"};                      // (N*3,10): the (N,3,10) tensor in row-major storage
  Grad dC{"dC"};                          // (V,10)
};

// Backwards through the cache, one intermediate at a time -> every field of grads.
void mlp_backward(const MlpCache& c, MlpGrads& grads);

}  // namespace bpdojo
