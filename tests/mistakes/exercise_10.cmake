# --- exercise 10: residual block ------------------------------------------------------------------
bpdojo_mistake(res_identity_path_dropped 10
  FIND "grads.dx = dy + dz * cache.W.transpose();" REPLACE "grads.dx = dz * cache.W.transpose();"
  FAILS residual.dx)
bpdojo_mistake(res_branch_dropped 10
  FIND "grads.dx = dy + dz * cache.W.transpose();" REPLACE "grads.dx = dy;"
  FAILS residual.dx)
bpdojo_mistake(res_identity_path_takes_dz 10
  FIND "grads.dx = dy + dz * cache.W.transpose();" REPLACE "grads.dx = dz + dz * cache.W.transpose();"
  FAILS residual.dx)
bpdojo_mistake(res_plain_dx_W_not_transposed 10
  FIND "  grads.dx = dz * cache.W.transpose();\n" REPLACE "  grads.dx = dz * cache.W;\n"
  FAILS plain.dx)
bpdojo_mistake(res_plain_dW_transposed 10
  FIND "  grads.dx = dz * cache.W.transpose();\n  grads.dW = cache.x.transpose() * dz;" REPLACE "  grads.dx = dz * cache.W.transpose();\n  grads.dW = dz.transpose() * cache.x;"
  FAILS plain.dW)
bpdojo_mistake(res_plain_db_mean 10
  FIND "  grads.dx = dz * cache.W.transpose();\n  grads.dW = cache.x.transpose() * dz;\n  grads.db = dz.colwise().sum();" REPLACE "  grads.dx = dz * cache.W.transpose();\n  grads.dW = cache.x.transpose() * dz;\n  grads.db = dz.colwise().mean();"
  FAILS plain.db)
bpdojo_mistake(res_tanh_prime_from_input 10
  FIND "  const Matrix dz = ((1.0 - cache.a.array().square()) * dy.array()).matrix();\n  grads.dx = dy +" REPLACE "  const Matrix dz = ((1.0 - cache.x.array().square()) * dy.array()).matrix();\n  grads.dx = dy +"
  FAILS residual.dx residual.dW residual.db)
bpdojo_mistake(res_dW_from_activation 10
  FIND "  grads.dx = dy + dz * cache.W.transpose();\n  grads.dW = cache.x.transpose() * dz;" REPLACE "  grads.dx = dy + dz * cache.W.transpose();\n  grads.dW = cache.a.transpose() * dz;"
  FAILS residual.dW)
