# The catalogue itself (see Mistakes.cmake). One entry per realistic mistake.

# --- exercise 03: tanh -------------------------------------------------------------------------
bpdojo_mistake(tanh_one_minus_h 03
  FIND "(1.0 - cache.h.array().square())" REPLACE "(1.0 - cache.h.array())"
  FAILS dx)
bpdojo_mistake(tanh_no_upstream 03
  FIND "(1.0 - cache.h.array().square()) * dh.array()" REPLACE "(1.0 - cache.h.array().square())"
  FAILS dx)

# --- exercise 02: linear ------------------------------------------------------------------------
bpdojo_mistake(linear_dx_no_transpose 02
  FIND "grads.dx = dy * cache.W.transpose();" REPLACE "grads.dx = (dy * cache.W.transpose()).transpose();"
  FAILS dx)
bpdojo_mistake(linear_dW_transposed 02
  FIND "grads.dW = cache.x.transpose() * dy;" REPLACE "grads.dW = dy.transpose() * cache.x;"
  FAILS dW)
bpdojo_mistake(linear_db_not_summed 02
  FIND "grads.db = dy.colwise().sum();" REPLACE "grads.db = dy;"
  FAILS db)
bpdojo_mistake(linear_db_mean 02
  FIND "grads.db = dy.colwise().sum();" REPLACE "grads.db = dy.colwise().mean();"
  FAILS db)
bpdojo_mistake(linear_dW_sign 02
  FIND "grads.dW = cache.x.transpose() * dy;" REPLACE "grads.dW = -(cache.x.transpose() * dy);"
  FAILS dW)
