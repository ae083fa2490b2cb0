# --- exercise 01: the chain rule on scalars ----------------------------------------------------
bpdojo_mistake(chain_a_missing_factor_2 01
  FIND "const double ddiff = 2.0 * p.diff;" REPLACE "const double ddiff = p.diff;"
  FAILS a.dw a.dx a.dy
  DIAGNOSIS a.dw=half)
bpdojo_mistake(chain_b_dz2_sign 01
  FIND "const double dz2 = p.yhat - p.y;" REPLACE "const double dz2 = p.y - p.yhat;"
  FAILS b.dW2 b.db2 b.dW1 b.db1)
bpdojo_mistake(chain_b_sigmoid_prime_as_sigmoid 01
  FIND "p.a1.array() * (1.0 - p.a1.array())" REPLACE "p.a1.array()"
  FAILS b.dW1 b.db1)
bpdojo_mistake(chain_b_dW1_transposed 01
  FIND "grads.dW1 = dz1.transpose() * p.x;" REPLACE "grads.dW1 = p.x.transpose() * dz1;"
  FAILS b.dW1)
bpdojo_mistake(chain_c_shared_bias_one_unit 01
  FIND "grads.db1 = dnet_h1 + dnet_h2;" REPLACE "grads.db1 = dnet_h1;"
  FAILS c.db1)
bpdojo_mistake(chain_c_forgot_second_path 01
  FIND "(dnet_o1 * p.w5 + dnet_o2 * p.w7)" REPLACE "(dnet_o1 * p.w5)"
  FAILS c.dw1 c.dw2 c.db1)
