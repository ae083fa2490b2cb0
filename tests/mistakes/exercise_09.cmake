# --- exercise 09: activations --------------------------------------------------------------------
bpdojo_mistake(act_sigmoid_prime_s_one_plus_s 09
  FIND "y * (1.0 - y) * dy.array()" REPLACE "y * (1.0 + y) * dy.array()"
  FAILS sigmoid.dx)
bpdojo_mistake(act_sigmoid_prime_only_one_minus_y 09
  FIND "y * (1.0 - y) * dy.array()" REPLACE "(1.0 - y) * dy.array()"
  FAILS sigmoid.dx)
bpdojo_mistake(act_relu_prime_one_everywhere 09
  FIND "grads.dx = (cache.x.array() > 0.0).select(dy.array(), 0.0);" REPLACE "grads.dx = dy;"
  FAILS relu.dx)
bpdojo_mistake(act_relu_prime_as_output 09
  FIND "grads.dx = (cache.x.array() > 0.0).select(dy.array(), 0.0);" REPLACE "grads.dx = cache.x.array().max(0.0) * dy.array();"
  FAILS relu.dx)
bpdojo_mistake(act_leaky_relu_slope_dropped 09
  FIND "select(dy.array(), kLeakySlope * dy.array())" REPLACE "select(dy.array(), 0.0 * dy.array())"
  FAILS leaky_relu.dx)
bpdojo_mistake(act_leaky_relu_mask_inverted 09
  FIND "select(dy.array(), kLeakySlope * dy.array())" REPLACE "select(kLeakySlope * dy.array(), dy.array())"
  FAILS leaky_relu.dx)
bpdojo_mistake(act_gelu_missing_cubic_derivative 09
  FIND "(1.0 + 3.0 * kGeluCubic * x.square())" REPLACE "(1.0 + 0.0 * x)"
  FAILS gelu.dx)
bpdojo_mistake(act_gelu_cubic_not_tripled 09
  FIND "(1.0 + 3.0 * kGeluCubic * x.square())" REPLACE "(1.0 + kGeluCubic * x.square())"
  FAILS gelu.dx)
bpdojo_mistake(act_gelu_inner_derivative_dropped 09
  FIND "(c * (1.0 + 3.0 * kGeluCubic * x.square()))" REPLACE "(0.0 * x + 1.0)"
  FAILS gelu.dx)
bpdojo_mistake(act_gelu_product_rule_half 09
  FIND "(0.5 * (1.0 + t.array()) + 0.5 * x" REPLACE "(0.5 * x"
  FAILS gelu.dx)
