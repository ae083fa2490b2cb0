// The MLP of exercises 06-08 outside the graph: the training forward pass, batch norm's
// evaluation form, sampling.
#include "problems/exercise_08_train.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

using namespace bpdojo;

TEST_SUITE_BEGIN("unit");

TEST_CASE("the training forward pass equals the graph's, field by field") {
  for (std::uint64_t seed : {0, 3}) {
    const MlpInstance in = mlp_instance(seed, {{"N", 7}, {"H", 9}});
    const MlpCache a = mlp_forward(in.params, in.batch);
    const MlpCache b = mlp_cache(mlp_graph(in.params, in.batch, false), in.batch);
    const std::pair<const Matrix*, const Matrix*> pairs[] = {
        {&a.emb, &b.emb},         {&a.embcat, &b.embcat},   {&a.hprebn, &b.hprebn},       {&a.bnmeani, &b.bnmeani},
        {&a.bndiff, &b.bndiff},   {&a.bndiff2, &b.bndiff2}, {&a.bnvar, &b.bnvar},         {&a.bnvar_inv, &b.bnvar_inv},
        {&a.bnraw, &b.bnraw},     {&a.hpreact, &b.hpreact}, {&a.h, &b.h},                 {&a.logits, &b.logits},
        {&a.logit_maxes, &b.logit_maxes}, {&a.norm_logits, &b.norm_logits}, {&a.counts, &b.counts},
        {&a.counts_sum, &b.counts_sum},   {&a.counts_sum_inv, &b.counts_sum_inv}, {&a.probs, &b.probs},
        {&a.logprobs, &b.logprobs}};
    for (const auto& [x, y] : pairs) {
      REQUIRE(x->rows() == y->rows());
      REQUIRE(x->cols() == y->cols());
      CHECK((*x - *y).cwiseAbs().maxCoeff() <= 1e-12 * (1.0 + y->cwiseAbs().maxCoeff()));
    }
    CHECK(a.loss == doctest::Approx(b.loss).epsilon(1e-13));
  }
}

TEST_CASE("a reused cache is written whole: a step at other sizes, then at the first ones, equals fresh passes") {
  const MlpInstance small = mlp_instance(1, {{"N", 5}, {"H", 4}}), large = mlp_instance(2, {{"N", 9}, {"H", 11}});
  MlpCache reused;
  for (const MlpInstance* in : {&small, &large, &small}) {
    mlp_forward(in->params, in->batch, reused);
    const MlpCache fresh = mlp_forward(in->params, in->batch);
    const Matrix MlpCache::*fields[] = {&MlpCache::emb,        &MlpCache::embcat,      &MlpCache::hprebn,
                                        &MlpCache::bnmeani,    &MlpCache::bndiff,      &MlpCache::bndiff2,
                                        &MlpCache::bnvar,      &MlpCache::bnvar_inv,   &MlpCache::bnraw,
                                        &MlpCache::hpreact,    &MlpCache::h,           &MlpCache::logits,
                                        &MlpCache::logit_maxes, &MlpCache::norm_logits, &MlpCache::counts,
                                        &MlpCache::counts_sum, &MlpCache::counts_sum_inv, &MlpCache::probs,
                                        &MlpCache::logprobs,   &MlpCache::C,           &MlpCache::W1,
                                        &MlpCache::b1,         &MlpCache::bngain,      &MlpCache::bnbias,
                                        &MlpCache::W2,         &MlpCache::b2};
    for (const auto f : fields) {
      REQUIRE((reused.*f).rows() == (fresh.*f).rows());
      REQUIRE((reused.*f).cols() == (fresh.*f).cols());
      CHECK((reused.*f).cwiseEqual(fresh.*f).all());
    }
    CHECK(reused.Xb == fresh.Xb);
    CHECK(reused.Yb == fresh.Yb);
    CHECK(reused.loss == fresh.loss);
  }
}

TEST_CASE("the vectorised tanh is within 2 ulp of std::tanh, and exact at 0, the infinities and far out") {
  // Dense over [-20, 20] (both branches and the switch at |x| = 0.625), then magnitudes down to
  // 1e-300.
  std::vector<double> xs;
  for (int i = -400000; i <= 400000; ++i) xs.push_back(i * 5e-5);
  for (double m = 1e-300; m < 10.0; m *= 1.01) {
    xs.push_back(m);
    xs.push_back(-m);
  }
  for (double e : {0.625, std::nextafter(0.625, 0.0), std::nextafter(0.625, 1.0)}) {
    xs.push_back(e);
    xs.push_back(-e);
  }
  const Matrix x = Eigen::Map<const Matrix>(xs.data(), 1, static_cast<Index>(xs.size()));
  Matrix t;
  tanh_into(x, t);
  REQUIRE(t.size() == x.size());
  double worst = 0.0, at = 0.0;
  for (Index i = 0; i < x.size(); ++i) {
    const double want = std::tanh(x(0, i));
    const double ulp = std::nextafter(std::fabs(want), 2.0) - std::fabs(want);
    const double err = std::fabs(t(0, i) - want) / ulp;
    if (err > worst) worst = err, at = x(0, i);
  }
  CAPTURE(at);
  CHECK(worst <= 2.0);
  const double inf = std::numeric_limits<double>::infinity();
  Matrix edges(1, 6), e;
  edges << 0.0, inf, -inf, 710.0, -1e308, std::numeric_limits<double>::quiet_NaN();
  tanh_into(edges, e);
  CHECK(e(0, 0) == 0.0);
  CHECK(e(0, 1) == 1.0);
  CHECK(e(0, 2) == -1.0);
  CHECK(e(0, 3) == 1.0);
  CHECK(e(0, 4) == -1.0);
  CHECK(std::isnan(e(0, 5)));
}

TEST_CASE("batch norm with statistics calibrated on a batch gives that batch's training loss") {
  const MlpInstance in = mlp_instance(11, {{"N", 32}, {"H", 16}});
  const MlpCache c = mlp_forward(in.params, in.batch);
  const BnStats bn = bn_calibrate(in.params, in.batch.Xb);
  CHECK((bn.mean - c.bnmeani).cwiseAbs().maxCoeff() < 1e-12);
  CHECK((bn.var - c.bnvar).cwiseAbs().maxCoeff() < 1e-12 * (1.0 + c.bnvar.maxCoeff()));
  CHECK(mlp_eval_loss(in.params, bn, in.batch.Xb, in.batch.Yb) == doctest::Approx(c.loss).epsilon(1e-12));
  CHECK_THROWS_AS(bn_calibrate(in.params, in.batch.Xb.topRows(1)), std::invalid_argument);
}

TEST_CASE("the initial loss is near ln 27, and samples are names of the vocabulary") {
  const NamesDataset& data = builtin_names();
  CHECK(data.vocab.size() == 27);
  const MlpParams p = mlp_init(Rng(1), 27, 64);
  const BnStats bn = bn_calibrate(p, data.dev.X);
  const double loss = mlp_eval_loss(p, bn, data.dev.X, data.dev.Y);
  CHECK(loss > std::log(27.0) - 0.2);
  CHECK(loss < std::log(27.0) + 0.5);
  Rng a(7), b(7);
  for (int i = 0; i < 10; ++i) {
    const std::string name = mlp_sample(p, bn, data.vocab, a);
    CHECK(name == mlp_sample(p, bn, data.vocab, b));
    CHECK(name.size() <= 64);
    for (char ch : name) CHECK((ch >= 'a' && ch <= 'z'));
  }
}

TEST_CASE("the learning-rate schedule and the checkpoints") {
  CHECK(learning_rate(0, 200000, 0.1) == 0.1);
  CHECK(learning_rate(99999, 200000, 0.1) == 0.1);
  CHECK(learning_rate(100000, 200000, 0.1) == doctest::Approx(0.01));
  CHECK(checkpoints(20000) == std::vector<std::int64_t>{0,     1000,  2000,  3000,  4000,  5000,  6000,
                                                         7000,  8000,  9000,  10000, 11000, 12000, 13000,
                                                         14000, 15000, 16000, 17000, 18000, 19000, 20000});
  CHECK(checkpoints(3) == std::vector<std::int64_t>{0, 1, 2, 3});
  CHECK(checkpoints(0) == std::vector<std::int64_t>{0});
}

TEST_SUITE_END();
