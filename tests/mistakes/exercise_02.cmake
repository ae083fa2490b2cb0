# --- exercise 02: linear ------------------------------------------------------------------------
bpdojo_mistake(linear_dx_transposed 02
  FIND "grads.dx = dy * cache.W.transpose();" REPLACE "grads.dx = (dy * cache.W.transpose()).transpose();"
  FAILS dx
  DIAGNOSIS dx=transposed)
bpdojo_mistake(linear_dW_transposed 02
  FIND "grads.dW = cache.x.transpose() * dy;" REPLACE "grads.dW = dy.transpose() * cache.x;"
  FAILS dW
  DIAGNOSIS dW=transposed)
bpdojo_mistake(linear_db_not_summed 02
  FIND "grads.db = dy.colwise().sum();" REPLACE "grads.db = dy;"
  FAILS db
  DIAGNOSIS db=not_summed)
bpdojo_mistake(linear_db_mean 02
  FIND "grads.db = dy.colwise().sum();" REPLACE "grads.db = dy.colwise().mean();"
  FAILS db
  DIAGNOSIS db=over_n)
bpdojo_mistake(linear_dW_sign 02
  FIND "grads.dW = cache.x.transpose() * dy;" REPLACE "grads.dW = -(cache.x.transpose() * dy);"
  FAILS dW)
