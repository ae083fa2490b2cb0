# --- exercise 05: batch norm --------------------------------------------------------------------
# (Mistakes in the bndiff2 path leave dbnmeani right: the rows of bndiff sum to zero.)
bpdojo_mistake(bn_biased_variance 05
  FIND "(dbnvar / (n - 1.0))" REPLACE "(dbnvar / n)"
  FAILS dbndiff2 dbndiff dhprebn
  DIAGNOSIS dbndiff2=biased)
bpdojo_mistake(bn_dbngain_not_summed 05
  FIND "(c.bnraw.array() * dhpreact.array()).colwise().sum();" REPLACE "(c.bnraw.array() * dhpreact.array());"
  FAILS dbngain)
bpdojo_mistake(bn_dbnbias_mean 05
  FIND "grads.dbnbias = dhpreact.colwise().sum();" REPLACE "grads.dbnbias = dhpreact.colwise().mean();"
  FAILS dbnbias)
bpdojo_mistake(bn_dbnraw_without_gain 05
  FIND "dhpreact.array().rowwise() * c.bngain.row(0).array()" REPLACE "dhpreact.array()"
  FAILS dbnraw dbnvar_inv dbnvar dbndiff2 dbndiff dbnmeani dhprebn)
bpdojo_mistake(bn_dbnvar_wrong_exponent 05
  FIND ".pow(-1.5)" REPLACE ".pow(-0.5)"
  FAILS dbnvar dbndiff2 dbndiff dhprebn)
bpdojo_mistake(bn_dbndiff_forgot_bndiff2_path 05
  FIND "  dbndiff += (2.0 * c.bndiff.array() * dbndiff2.array()).matrix();" REPLACE "  // (the path through bndiff2 is forgotten)"
  FAILS dbndiff dhprebn)
bpdojo_mistake(bn_dbnmeani_not_summed 05
  FIND "const Matrix dbnmeani = -dbndiff.colwise().sum();" REPLACE "const Matrix dbnmeani = -dbndiff;"
  FAILS dbnmeani dhprebn)
bpdojo_mistake(bn_dhprebn_mean_path_without_1_over_n 05
  FIND "dhprebn.rowwise() += dbnmeani.row(0) / n;" REPLACE "dhprebn.rowwise() += dbnmeani.row(0);"
  FAILS dhprebn)
bpdojo_mistake(bn_fused_without_bessel 05
  FIND "- n / (n - 1.0) * c.bnraw.array()" REPLACE "- c.bnraw.array()"
  FAILS dhprebn_fused)
bpdojo_mistake(bn_dbnvar_without_half 05
  FIND "-0.5 * (c.bnvar.array() + kBatchNormEps)" REPLACE "-(c.bnvar.array() + kBatchNormEps)"
  FAILS dbnvar dbndiff2 dbndiff dhprebn
  DIAGNOSIS dbnvar=times_2)
bpdojo_mistake(bn_dbnvar_inv_uses_bnraw 05
  FIND "(c.bndiff.array() * dbnraw.array())" REPLACE "(c.bnraw.array() * dbnraw.array())"
  FAILS dbnvar_inv dbnvar dbndiff2 dbndiff dhprebn)
bpdojo_mistake(bn_fused_forgot_mean_term 05
  FIND "n * dhpreact.array() - sum_d - " REPLACE "n * dhpreact.array() - "
  FAILS dhprebn_fused)
