# --- exercise 07: the whole MLP, fused layers -----------------------------------------------------
bpdojo_mistake(mlp_fused_dlogits_not_averaged 07
  FIND "  dlogits /= n;" REPLACE "  // (the sum over the batch, not the mean)"
  FAILS dlogits dh dW2 db2 dhpreact dbngain dbnbias dhprebn ${after_bn} LINES dlogits)
bpdojo_mistake(mlp_fused_bn_biased_variance 07
  FIND "n / (n - 1.0) * c.bnraw.array()" REPLACE "c.bnraw.array()"
  FAILS dhprebn ${after_bn} LINES dhprebn)
bpdojo_mistake(mlp_fused_db2_first_row 07
  FIND "grads.db2 = dlogits.colwise().sum();" REPLACE "grads.db2 = dlogits.row(0);"
  FAILS db2 LINES db2)
bpdojo_mistake(mlp_fused_dC_not_accumulated 07
  FIND "dC.row(c.Xb(i, k)) += demb.row(i * c.Xb.cols() + k);"
  REPLACE "dC.row(c.Xb(i, k)) = demb.row(i * c.Xb.cols() + k);"
  FAILS dC LINES dC)
