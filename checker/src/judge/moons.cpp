#include "judge/moons.hpp"

#include "judge/training.hpp"
#include "problems/exercise_16_autograd.hpp"

#include <cmath>
#include <cstdio>

namespace bpdojo {

double moons_accuracy(const std::vector<double>& params, std::uint64_t seed) {
  const Moons data = moons(seed);
  const std::vector<double> scores = moons_scores(params, data);
  int right = 0;
  for (std::size_t i = 0; i < scores.size(); ++i) right += (scores[i] > 0.0) == (data.y[i] > 0.0) ? 1 : 0;
  return static_cast<double>(right) / static_cast<double>(scores.size());
}

void judge_moons(CheckResult& result, const protocol::ParseResult& parsed) {
  const std::int64_t steps = result.sizes.at("S");
  if (steps <= 0) return;
  GradientResult gr;
  gr.name = kTrainingRow;
  gr.function = "backward";
  gr.run_row = true;
  const protocol::Message* m = nullptr;
  for (const auto& msg : parsed.messages)
    if (msg.name == "train.params" && msg.kind != protocol::Kind::Trace && msg.kind != protocol::Kind::End) m = &msg;
  const auto percent = [](double a) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f%%", 100.0 * a);
    return std::string(buf);
  };
  if (!m) {
    gr.verdict = result.runner.finished ? Verdict::NotImplemented : verdict_for_unreported(result.runner);
    gr.message = result.runner.finished ? "not reported" : "the training did not finish: " + result.runner.summary;
  } else if (m->kind == protocol::Kind::NotImplemented) {
    gr.verdict = Verdict::NotImplemented;
    gr.message = "not reached: training stopped at TODO(\"" + m->text + "\")";
  } else if (m->kind == protocol::Kind::Error) {
    gr.verdict = Verdict::Error;
    gr.message = "the training stopped: " + m->text.substr(0, 300);
  } else if (m->kind != protocol::Kind::Tensor || m->tensor.value.rows() != kMlpParamCount || m->tensor.value.cols() != 1) {
    gr.verdict = Verdict::WrongShape;
    gr.message = "the runner sent no (" + std::to_string(kMlpParamCount) + ",1) tensor of parameters";
  } else {
    const Matrix& p = m->tensor.value;
    const std::vector<double> params(p.data(), p.data() + p.size());
    const std::vector<double> init = moons_init(result.seed);
    double moved = 0.0;
    for (std::size_t i = 0; i < params.size(); ++i) moved = std::max(moved, std::abs(params[i] - init[i]));
    if (!p.allFinite()) {
      gr.verdict = Verdict::Wrong;
      gr.message = "after " + std::to_string(steps) + " steps the parameters are not finite (NaN or Inf)";
    } else if (!(moved > 1e-6)) {
      gr.verdict = Verdict::Wrong;
      gr.message = "the parameters did not move in " + std::to_string(steps) + " steps: are the parameters' grads set?";
    } else {
      const double acc = moons_accuracy(params, result.seed);
      const bool judged = steps >= kMoonsDefaultSteps;
      gr.verdict = !judged || acc >= kMoonsAccuracyBar ? Verdict::Correct : Verdict::Wrong;
      gr.message = "training accuracy " + percent(acc) + " on two moons after " + std::to_string(steps) + " steps (the checker's forward pass on your parameters)" +
                   (judged ? (acc >= kMoonsAccuracyBar ? ", at least " : ", below the bar of ") + percent(kMoonsAccuracyBar)
                           : std::string(" (no bar for runs shorter than ") + std::to_string(kMoonsDefaultSteps) + " steps)");
    }
  }
  result.gradients.push_back(std::move(gr));
}

}  // namespace bpdojo
