#include "judge/flow.hpp"

#include "common/files.hpp"
#include "common/plot.hpp"
#include "problems/exercise_13_rnn.hpp"

#include <cmath>
#include <limits>

namespace bpdojo {
namespace {

// The norm of each step's block of a (T*N, H) gradient, by T - t: out[0] is step T's.
std::vector<double> step_norms(const Matrix& g, Index N) {
  const Index T = g.rows() / N;
  std::vector<double> out;
  for (Index t = T; t >= 1; --t) out.push_back(g.middleRows((t - 1) * N, N).norm());
  return out;
}

const GradientResult* row(const CheckResult& r, const std::string& name) {
  for (const auto& g : r.gradients)
    if (g.name == name) return &g;
  return nullptr;
}

}  // namespace

void judge_flow(CheckResult& result, const std::string& plot) {
  FlowResult f;
  const Matrix* exploding = nullptr;
  for (const auto& [name, label] : {std::pair<const char*, const char*>{"vanish.dh", "small Whh (vanishing)"},
                                    std::pair<const char*, const char*>{"explode.dh", "large Whh (exploding)"}}) {
    const GradientResult* g = row(result, name);
    if (!g) continue;
    FlowResult::Curve c;
    c.row = name;
    c.label = label;
    c.correct = g->verdict == Verdict::Correct;
    c.reference = step_norms(g->numeric.value, kFlowN);
    if (g->analytic && g->analytic->value.rows() == g->numeric.value.rows() && g->analytic->value.cols() == g->numeric.value.cols()) {
      c.yours = step_norms(g->analytic->value, kFlowN);
      if (c.row == "explode.dh") exploding = &g->analytic->value;
    }
    f.curves.push_back(std::move(c));
  }
  if (exploding) {
    // clip_grad_norm's rule on the whole of dh: scale by max_norm / (total + eps) when below 1.
    const double total = exploding->norm();
    const double scale = std::min(1.0, kFlowClipNorm / (total + kClipEps));
    FlowResult::Curve c;
    c.row = "explode.dh";
    c.label = "large Whh, clipped to norm 1";
    c.correct = f.curves.back().correct;
    c.yours = step_norms(*exploding * scale, kFlowN);
    f.curves.push_back(std::move(c));
  }
  if (!plot.empty() && !f.curves.empty()) {
    if (write_file(plot, flow_plot_svg(f))) f.plot = plot;
  }
  result.flow = std::move(f);
}

std::string flow_plot_svg(const FlowResult& f) {
  plot::Figure fig;
  fig.id = "exercise_13_flow";
  fig.title = "exercise_13: the last step's gradient flowing back in time (dashed: finite differences)";
  fig.x.title = "T - t (steps back from the loss)";
  fig.y.title = "||dL_T/dh_t|| (log scale)";
  fig.y.scale = plot::Scale::Log;
  fig.legend_at = plot::Figure::Corner::BottomLeft;
  const int colours[] = {4, 5, 6};  // blue, vermillion, reddish purple
  for (std::size_t k = 0; k < f.curves.size(); ++k) {
    const FlowResult::Curve& c = f.curves[k];
    const int colour = colours[k % 3];
    auto steps = [](std::size_t n) {
      std::vector<double> x;
      for (std::size_t i = 0; i < n; ++i) x.push_back(static_cast<double>(i));
      return x;
    };
    if (!c.reference.empty()) {
      plot::Series s{c.label + ", finite differences", steps(c.reference.size()), c.reference};
      s.colour = colour;
      s.width = 1.2;
      s.dashed = true;
      s.in_legend = false;  // the title says what the dashed lines are
      fig.series.push_back(std::move(s));
    }
    if (!c.yours.empty()) {
      plot::Series s{c.label + ", yours" + (c.correct ? "" : " (wrong)"), steps(c.yours.size()), c.yours};
      s.colour = colour;
      s.points = true;
      fig.series.push_back(std::move(s));
    }
  }
  return plot::svg(fig);
}

}  // namespace bpdojo
