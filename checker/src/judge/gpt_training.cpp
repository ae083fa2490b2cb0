#include "judge/gpt_training.hpp"
#include "judge/rnn_training.hpp"

#include "common/files.hpp"
#include "common/plot.hpp"
#include "common/text.hpp"
#include "judge/training.hpp"
#include "problems/exercise_08_train.hpp"
#include "problems/exercise_13_rnn.hpp"
#include "problems/exercise_15_gpt.hpp"

#include <algorithm>
#include <cmath>
#include <future>
#include <limits>
#include <map>
#include <vector>

namespace bpdojo {
namespace {

double nan() { return std::numeric_limits<double>::quiet_NaN(); }

// The parameters at each checkpoint of the schedule where all eighteen arrived as tensors of the
// initial parameters' shapes; any other step is ignored.
std::map<std::int64_t, GptParams> reported_checkpoints(const protocol::ParseResult& parsed, std::int64_t steps, const GptParams& shape) {
  std::map<std::int64_t, GptParams> out;
  for (std::int64_t t : checkpoints(steps)) {
    GptParams p;
    p.H = shape.H;
    bool ok = true;
    for (const auto& f : kGptParams) {
      const protocol::Message* m = last_message(parsed, "step." + std::to_string(t) + "." + f.name);
      const Matrix& want = shape.*f.field;
      ok = m && m->kind == protocol::Kind::Tensor && m->tensor.value.rows() == want.rows() && m->tensor.value.cols() == want.cols();
      if (!ok) break;
      p.*f.field = m->tensor.value;
    }
    if (ok) out.emplace(t, std::move(p));
  }
  return out;
}

}  // namespace

void judge_gpt_training(CheckResult& result, const protocol::ParseResult& parsed, double lr, const std::string& plot) {
  GptTrainingResult t;
  t.steps = result.sizes.at("S");
  t.lr = lr;
  if (t.steps == 0) {
    result.gpt_training = std::move(t);
    return;
  }
  auto& run = t.run;
  run.name = "gpt";
  run.threshold = kGptDevLossThreshold;
  const GptParams init = gpt_train_init(result.seed);
  const std::map<std::int64_t, GptParams> ckpt = reported_checkpoints(parsed, t.steps, init);
  for (const auto& entry : ckpt) run.at.push_back(entry.first);
  run.complete = ckpt.count(t.steps) == 1;
  read_run_series(run, parsed, "", t.steps);
  // The checker's own figures: the dev split at every checkpoint, the last on a training sample,
  // and 20 names.
  const NamesDataset& data = builtin_names();
  static const std::vector<std::vector<int>> dev = encode_names(data.dev);
  static const std::vector<std::vector<int>> train_sample = [&] {
    std::vector<std::vector<int>> all = encode_names(data.train);
    all.resize(std::min(all.size(), kGptTrainSample));
    return all;
  }();
  // The checkpoints in two halves, one on a thread of its own (the dev split at 21 checkpoints is
  // most of the checker's time).
  std::vector<const GptParams*> at;
  for (const auto& entry : ckpt) at.push_back(&entry.second);
  run.dev_curve.assign(at.size(), nan());
  const std::size_t half = at.size() / 2;
  auto evaluate = [&](std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to; ++i) run.dev_curve[i] = gpt_eval_loss(*at[i], dev);
  };
  std::future<void> first = std::async(std::launch::async, evaluate, std::size_t{0}, half);
  evaluate(half, at.size());
  first.get();
  run.train_loss = run.dev_loss = nan();
  const auto last = ckpt.find(t.steps);
  if (last != ckpt.end() && gpt_finite(last->second)) {
    run.dev_loss = run.dev_curve.back();
    run.train_loss = gpt_eval_loss(last->second, train_sample);
    Rng rng = Rng(kGptSampleSeed).fork("sample");
    for (int i = 0; i < 20; ++i) run.samples.push_back(gpt_sample(last->second, data.vocab, rng));
  }

  GradientResult gr;
  gr.name = kTrainingRow;
  gr.function = "gpt_sgd_step";
  gr.run_row = true;
  gr.verdict = Verdict::Correct;
  const protocol::Message* stopped = last_message(parsed, "training");
  if (stopped && stopped->kind != protocol::Kind::NotImplemented && stopped->kind != protocol::Kind::Error) stopped = nullptr;
  if (stopped || !run.complete) {
    judge_unfinished_run(result, run, "training", stopped, gr);
  } else {
    const GptParams& p = last->second;
    std::string still;
    for (const auto& f : kGptParams)
      if (p.*f.field == init.*f.field) still += std::string(still.empty() ? "" : ", ") + f.name;
    gr.verdict = Verdict::Wrong;
    if (!still.empty())
      gr.message = "never changed: " + still + " (gpt_sgd_step must update every parameter, gpt_backward set every gradient)";
    else if (!gpt_finite(p))
      gr.message = "the parameters became NaN or Inf during training";
    else if (run.dev_curve.size() > 1 && !(run.dev_curve[1] < run.dev_curve[0]))
      gr.message = "the dev loss rose from " + fixed(run.dev_curve[0], 4) + " to " + fixed(run.dev_curve[1], 4) +
                   " in the first stretch of training: a gradient of the wrong sign, or steps too large?";
    else if (t.steps >= kGptDefaultSteps && !(run.dev_loss < run.threshold))
      gr.message = "dev loss " + fixed(run.dev_loss, 4) + " is not below " + fixed(run.threshold, 2);
    else {
      gr.verdict = Verdict::Correct;
      gr.message = "dev loss " + fixed(run.dev_loss, 4) +
                   (t.steps >= kGptDefaultSteps ? " < " + fixed(run.threshold, 2)
                                                : " (no threshold for runs shorter than " + std::to_string(kGptDefaultSteps) + " steps)");
    }
  }
  if (!plot.empty() && run.at.size() >= 2 && write_file(plot, gpt_loss_plot_svg(t))) t.plot = plot;
  result.gradients.push_back(std::move(gr));
  result.gpt_training = std::move(t);
}

std::string gpt_loss_plot_svg(const GptTrainingResult& t) {
  return runs_loss_plot_svg("exercise_15_loss", "exercise_15: the GPT block on the names, " + std::to_string(t.steps) + " steps",
                            t.steps, t.lr, {{&t.run, "", "dev (checkpoints, the checker's)", 1, 4, false}});
}

}  // namespace bpdojo
