# --- exercise 03: tanh -------------------------------------------------------------------------
bpdojo_mistake(tanh_one_minus_h 03
  FIND "(1.0 - cache.h.array().square())" REPLACE "(1.0 - cache.h.array())"
  FAILS dx)
bpdojo_mistake(tanh_no_upstream 03
  FIND "(1.0 - cache.h.array().square()) * dh.array()" REPLACE "(1.0 - cache.h.array().square())"
  FAILS dx)
