# --- exercise 08: training ------------------------------------------------------------------------
# Judged with 2000 training steps (tests/test_mistakes.cpp); "training" is the run's verdict.
bpdojo_mistake(train_dbngain_without_bnraw 08
  FIND "g.dbngain = (c.bnraw.array() * dhpreact.array()).colwise().sum();" REPLACE "g.dbngain = dhpreact.colwise().sum();"
  FAILS init.dbngain scaled.dbngain)
bpdojo_mistake(train_bn_without_mean_term 08
  FIND "n * dhpreact.array() - sum_d - n" REPLACE "n * dhpreact.array() - n"
  FAILS init.dC init.dW1 init.db1 scaled.dC scaled.dW1 scaled.db1)
bpdojo_mistake(train_update_wrong_sign 08
  FIND "p.C -= lr * g.dC;" REPLACE "p.C += lr * g.dC;" FIND "p.W1 -= lr * g.dW1;" REPLACE "p.W1 += lr * g.dW1;" FIND "p.b1 -= lr * g.db1;" REPLACE "p.b1 += lr * g.db1;" FIND "p.bngain -= lr * g.dbngain;" REPLACE "p.bngain += lr * g.dbngain;" FIND "p.bnbias -= lr * g.dbnbias;" REPLACE "p.bnbias += lr * g.dbnbias;" FIND "p.W2 -= lr * g.dW2;" REPLACE "p.W2 += lr * g.dW2;" FIND "p.b2 -= lr * g.db2;" REPLACE "p.b2 += lr * g.db2;"
  FAILS training update.C update.W1 update.b1 update.bngain update.bnbias update.W2 update.b2)
bpdojo_mistake(train_update_forgotten 08
  FIND "  p.C -= lr * g.dC;" REPLACE "  // p.C -= lr * g.dC;" FIND "  p.W1 -= lr * g.dW1;" REPLACE "  // p.W1 -= lr * g.dW1;" FIND "  p.b1 -= lr * g.db1;" REPLACE "  // p.b1 -= lr * g.db1;" FIND "  p.bngain -= lr * g.dbngain;" REPLACE "  // p.bngain -= lr * g.dbngain;" FIND "  p.bnbias -= lr * g.dbnbias;" REPLACE "  // p.bnbias -= lr * g.dbnbias;" FIND "  p.W2 -= lr * g.dW2;" REPLACE "  // p.W2 -= lr * g.dW2;" FIND "  p.b2 -= lr * g.db2;" REPLACE "  // p.b2 -= lr * g.db2;"
  FAILS training update.C update.W1 update.b1 update.bngain update.bnbias update.W2 update.b2)
# sgd_step is judged itself (update.<parameter>: every parameter moved by exactly -lr * its gradient).
bpdojo_mistake(train_update_skips_b2 08
  FIND "  p.b2 -= lr * g.db2;" REPLACE "  // p.b2 -= lr * g.db2;  (forgotten)"
  FAILS update.b2 DIAGNOSIS update.b2=not_updated)
# Keeps the gradients of the call before and applies those (the first call's on the first call).
bpdojo_mistake(train_update_previous_gradient 08
  FIND "  p.C -= lr * g.dC;" REPLACE "  static MlpParamGrads previous = g;\n  p.C -= lr * previous.dC;" FIND "  p.W1 -= lr * g.dW1;" REPLACE "  p.W1 -= lr * previous.dW1;" FIND "  p.b1 -= lr * g.db1;" REPLACE "  p.b1 -= lr * previous.db1;" FIND "  p.bngain -= lr * g.dbngain;" REPLACE "  p.bngain -= lr * previous.dbngain;" FIND "  p.bnbias -= lr * g.dbnbias;" REPLACE "  p.bnbias -= lr * previous.dbnbias;" FIND "  p.W2 -= lr * g.dW2;" REPLACE "  p.W2 -= lr * previous.dW2;" FIND "  p.b2 -= lr * g.db2;" REPLACE "  p.b2 -= lr * previous.db2;\n  previous = g;"
  FAILS update.C update.W1 update.b1 update.bngain update.bnbias update.W2 update.b2
  DIAGNOSIS update.C=previous_gradient update.W1=previous_gradient update.b1=previous_gradient update.bngain=previous_gradient update.bnbias=previous_gradient update.W2=previous_gradient update.b2=previous_gradient)

# --- diagnoses: entries that exist to produce one recognisable shape each (checker/src/judge/diagnose.hpp) --
bpdojo_mistake(linear_db_zeros 02
  FIND "grads.db = dy.colwise().sum();" REPLACE "grads.db = Matrix::Zero(1, dy.cols());"
  FAILS db DIAGNOSIS db=zeros)
# A stand-in for reading a matrix that was never initialised.
bpdojo_mistake(linear_db_nan 02
  FIND "grads.db = dy.colwise().sum();" REPLACE "grads.db = dy.colwise().sum() * (0.0 * std::log(0.0));"
  FAILS db DIAGNOSIS db=nonfinite)
# A loop over the hidden units that stops one short.
bpdojo_mistake(linear_db_last_column 02
  FIND "grads.db = dy.colwise().sum();"
  REPLACE "Matrix db = dy.colwise().sum();\n  db(0, db.cols() - 1) = 0.0;\n  grads.db = db;"
  FAILS db DIAGNOSIS db=cols)
bpdojo_mistake(linear_dx_summed 02
  FIND "grads.dx = dy * cache.W.transpose();" REPLACE "grads.dx = (dy * cache.W.transpose()).colwise().sum();"
  FAILS dx DIAGNOSIS dx=summed)
# A loop over the batch that stops one short.
bpdojo_mistake(ce_dlogprobs_off_by_one 04
  FIND "for (Index n = 0; n < N; ++n) dlogprobs(n, c.Y[n])" REPLACE "for (Index n = 0; n + 1 < N; ++n) dlogprobs(n, c.Y[n])"
  FAILS dlogprobs dprobs dcounts_sum_inv dcounts_sum dcounts dnorm_logits dlogits
  DIAGNOSIS dlogprobs=rows)
bpdojo_mistake(bn_dbndiff2_not_broadcast 05
  FIND "grads.dbndiff2 = dbndiff2;" REPLACE "grads.dbndiff2 = dbnvar / (n - 1.0);"
  FAILS dbndiff2 DIAGNOSIS dbndiff2=broadcast)
# Bessel's 1/(N-1) where the mean's 1/N belongs.
bpdojo_mistake(bn_fused_bessel_everywhere 05
  FIND "c.bnvar_inv.array() / n)" REPLACE "c.bnvar_inv.array() / (n - 1.0))"
  FAILS dhprebn_fused DIAGNOSIS dhprebn_fused=bessel)
bpdojo_mistake(mlp_demb_as_embcat 06
  FIND "grads.demb = demb;" REPLACE "grads.demb = dembcat;"
  FAILS demb LINES demb DIAGNOSIS demb=reshape)
