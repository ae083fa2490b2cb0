# --- exercise 04: softmax cross-entropy ---------------------------------------------------------
# (dlogit_maxes is zero whatever flows into probs, so mistakes upstream of dcounts leave it right.)
bpdojo_mistake(ce_dlogprobs_without_mean 04
  FIND "= -1.0 / static_cast<double>(N);" REPLACE "= -1.0;"
  FAILS dlogprobs dprobs dcounts_sum_inv dcounts_sum dcounts dnorm_logits dlogits
  DIAGNOSIS dlogprobs=times_n)
bpdojo_mistake(ce_dprobs_without_chain 04
  FIND "c.probs.array().inverse() * dlogprobs.array()" REPLACE "c.probs.array().inverse()"
  FAILS dprobs dcounts_sum_inv dcounts_sum dcounts dnorm_logits dlogits)
bpdojo_mistake(ce_dcounts_sum_inv_mean 04
  FIND "(c.counts.array() * dprobs.array()).rowwise().sum()" REPLACE "(c.counts.array() * dprobs.array()).rowwise().mean()"
  FAILS dcounts_sum_inv dcounts_sum dcounts dnorm_logits dlogit_maxes dlogits)
bpdojo_mistake(ce_dcounts_sum_sign 04
  FIND "-c.counts_sum.array().square().inverse()" REPLACE "c.counts_sum.array().square().inverse()"
  FAILS dcounts_sum dcounts dnorm_logits dlogit_maxes dlogits)
bpdojo_mistake(ce_dcounts_forgot_sum_path 04
  FIND "  dcounts.colwise() += dcounts_sum.col(0);" REPLACE "  // (the path through counts_sum is forgotten)"
  FAILS dcounts dnorm_logits dlogit_maxes dlogits)
bpdojo_mistake(ce_dnorm_logits_uses_norm_logits 04
  FIND "c.counts.array() * dcounts.array()" REPLACE "c.norm_logits.array() * dcounts.array()"
  FAILS dnorm_logits dlogit_maxes dlogits)
bpdojo_mistake(ce_fused_without_mean 04
  FIND "grads.dlogits_fused = softmax / static_cast<double>(N);" REPLACE "grads.dlogits_fused = softmax;"
  FAILS dlogits_fused)
bpdojo_mistake(ce_fused_sign 04
  FIND "softmax(n, Y[n]) -= 1.0;" REPLACE "softmax(n, Y[n]) += 1.0;"
  FAILS dlogits_fused)
bpdojo_mistake(ce_dlogprobs_sign 04
  FIND "= -1.0 / static_cast<double>(N);" REPLACE "= 1.0 / static_cast<double>(N);"
  FAILS dlogprobs dprobs dcounts_sum_inv dcounts_sum dcounts dnorm_logits dlogits
  DIAGNOSIS dlogprobs=sign)
bpdojo_mistake(ce_dcounts_sum_missing_square 04
  FIND "-c.counts_sum.array().square().inverse()" REPLACE "-c.counts_sum.array().inverse()"
  FAILS dcounts_sum dcounts dnorm_logits dlogit_maxes dlogits)
bpdojo_mistake(ce_fused_forgot_one_hot 04
  FIND "  for (Index n = 0; n < N; ++n) softmax(n, Y[n]) -= 1.0;" REPLACE "  // (the one-hot of the labels is forgotten)"
  FAILS dlogits_fused)
# (Not catalogued, because no checker can see them: leaving the dlogit_maxes term out of dlogits, or
# adding it at column 0 instead of the argmax, changes dlogits by dlogit_maxes, which is zero.)
