# --- exercise 06: the whole MLP, every intermediate ----------------------------------------------
# LINES: the local check must name exactly these; every other failing gradient inherits from them.
# Not here: dlogit_maxes routed to the wrong column of dlogits. The true dlogit_maxes is zero (the
# softmax does not see a shift of a whole row), so with right lines before it the routing changes
# nothing that finite differences, or training, could see (docs/exercise_06.md). Likewise db1 is
# zero (batch norm subtracts the batch mean, so b1 has no effect): only a mistake in the mean's own
# lines (dbnmeani, dhprebn) makes it fail.
set(after_bn dembcat dW1 demb dC)
bpdojo_mistake(mlp_dC_not_accumulated 06
  FIND "dC.row(c.Xb(i, k)) += demb.row(i * c.Xb.cols() + k);"
  REPLACE "dC.row(c.Xb(i, k)) = demb.row(i * c.Xb.cols() + k);"
  FAILS dC LINES dC
  DIAGNOSIS dC=index_accumulation)
bpdojo_mistake(mlp_dbnmeani_not_summed 06
  FIND "const Matrix dbnmeani = -dbndiff.colwise().sum();" REPLACE "const Matrix dbnmeani = -dbndiff;"
  FAILS dbnmeani dhprebn db1 ${after_bn} LINES dbnmeani)
bpdojo_mistake(mlp_demb_column_major 06
  FIND "Eigen::Map<const Matrix>(dembcat.data()" REPLACE "Eigen::Map<const Eigen::MatrixXd>(dembcat.data()"
  FAILS demb dC LINES demb
  DIAGNOSIS demb=storage_order)
bpdojo_mistake(mlp_dhpreact_one_minus_h 06
  FIND "(1.0 - c.h.array().square())" REPLACE "(1.0 - c.h.array())"
  FAILS dhpreact dbngain dbnbias dbnraw dbnvar_inv dbnvar dbndiff2 dbndiff dbnmeani dhprebn ${after_bn}
  LINES dhpreact)
bpdojo_mistake(mlp_dW2_transposed 06
  FIND "grads.dW2 = c.h.transpose() * dlogits;" REPLACE "grads.dW2 = dlogits.transpose() * c.h;"
  FAILS dW2 LINES dW2)
bpdojo_mistake(mlp_dbndiff2_biased_variance 06
  FIND "(dbnvar / (n - 1.0)).replicate(N, 1)" REPLACE "(dbnvar / n).replicate(N, 1)"
  FAILS dbndiff2 dbndiff dhprebn ${after_bn} LINES dbndiff2)
bpdojo_mistake(mlp_dcounts_one_path 06
  FIND "  dcounts.colwise() += dcounts_sum.col(0);" REPLACE "  // (only the path through probs)"
  FAILS dcounts dnorm_logits dlogit_maxes dlogits dh dW2 db2 dhpreact dbngain dbnbias dbnraw dbnvar_inv dbnvar
        dbndiff2 dbndiff dbnmeani dhprebn ${after_bn}
  LINES dcounts)
bpdojo_mistake(mlp_dbnbias_mean 06
  FIND "grads.dbnbias = dhpreact.colwise().sum();" REPLACE "grads.dbnbias = dhpreact.colwise().mean();"
  FAILS dbnbias LINES dbnbias)
# Two independent mistakes: both lines are named, not the 22 gradients between and after them.
bpdojo_mistake(mlp_two_wrong_lines 06
  FIND "const Matrix dcounts_sum = -c.counts_sum" REPLACE "const Matrix dcounts_sum = c.counts_sum"
  FIND "dC.row(c.Xb(i, k)) += demb.row(i * c.Xb.cols() + k);"
  REPLACE "dC.row(c.Xb(i, k)) = demb.row(i * c.Xb.cols() + k);"
  FAILS dcounts_sum dcounts dnorm_logits dlogit_maxes dlogits dh dW2 db2 dhpreact dbngain dbnbias dbnraw dbnvar_inv
        dbnvar dbndiff2 dbndiff dbnmeani dhprebn ${after_bn}
  LINES dcounts_sum dC)
