// Exercise 07: the whole MLP with fused layers. The signature you implement in
// exercises/exercise_07_mlp_fused.cpp. Shapes: N batch, H hidden units, V vocabulary (27).
// The network and the cache are in bpdojo/mlp.hpp. Matrices are row-major.
#pragma once

#include "bpdojo/mlp.hpp"

namespace bpdojo {

// The 13 gradients: cross-entropy and batch norm in one expression each, then the rest.
struct MlpFusedGrads {
  Grad dlogits{"dlogits"};    // (N,V)
  Grad dh{"dh"};              // (N,H)
  Grad dW2{"dW2"};            // (H,V)
  Grad db2{"db2"};            // (1,V)
  Grad dhpreact{"dhpreact"};  // (N,H)
  Grad dbngain{"dbngain"};    // (1,H)
  Grad dbnbias{"dbnbias"};    // (1,H)
  Grad dhprebn{"dhprebn"};    // (N,H)
  Grad dembcat{"dembcat"};    // (N,30)
  Grad dW1{"dW1"};            // (30,H)
  Grad db1{"db1"};            // (1,H)
  Grad demb{"demb"};          // (N*3,10)
  Grad dC{"dC"};              // (V,10)
};

// Backwards through the cache with the fused forms -> every field of grads.
void mlp_backward_fused(const MlpCache& c, MlpFusedGrads& grads);

}  // namespace bpdojo
