#include "judge/paths.hpp"

#include "common/files.hpp"
#include "common/plot.hpp"
#include "judge/training.hpp"
#include "problems/exercise_17_optimizers.hpp"

#include <filesystem>
#include <limits>
#include <map>

#include <cmath>

namespace bpdojo {
namespace {

// The rows of a (k, 2) path up to its first point that is not finite.
Matrix finite_prefix(const Matrix& m) {
  Index rows = 0;
  while (rows < m.rows() && m.row(rows).allFinite()) ++rows;
  return m.topRows(rows);
}

}  // namespace

void judge_paths(CheckResult& result, const protocol::ParseResult& parsed, const std::string& plot) {
  const auto s = result.sizes.find("S");
  if (s == result.sizes.end() || s->second <= 0) return;
  PathsResult p;
  p.steps = s->second;
  for (const Optimizer o : kOptimizers) {
    PathsResult::Path path;
    path.name = optimizer_name(o);
    path.reference = reference_path(o, p.steps);
    path.yours = Matrix(0, 2);
    for (const auto& m : parsed.messages) {
      if (m.name != "path." + path.name || m.kind != protocol::Kind::Tensor) continue;
      const Matrix& v = m.tensor.value;
      // Anything else than up to steps + 1 points of (x, y) is not a path: not drawn.
      if (v.cols() == 2 && v.rows() >= 1 && v.rows() <= p.steps + 1) {
        path.yours = finite_prefix(v);
        path.reported = true;
      }
    }
    p.paths.push_back(std::move(path));
  }
  if (!plot.empty() && write_file(plot, paths_plot_svg(p))) p.plot = plot;
  // The MLP: each optimizer's checkpoints that arrived whole, evaluated on the dev split with batch
  // norm calibrated on a sample of the training split (judge/training.cpp's evaluation).
  std::map<std::string, const Matrix*> tensors;
  for (const auto& m : parsed.messages)
    if (m.kind == protocol::Kind::Tensor && m.name.compare(0, 4, "mlp.") == 0) tensors[m.name] = &m.tensor.value;
  const NamesDataset& data = builtin_names();
  const Index M = std::min<Index>(kCurveSample, data.train.X.rows());
  const IntMatrix sample_X = data.train.X.topRows(M);
  const MlpParams start = mlp_path_init(result.seed);
  for (const Optimizer o : kOptimizers) {
    PathsResult::Curve c;
    c.name = optimizer_name(o);
    for (const std::int64_t t : mlp_path_checkpoints(p.steps)) {
      MlpParams params = start;
      bool whole = true, finite = true;
      for (const auto& f : kMlpParams) {
        const auto it = tensors.find("mlp." + c.name + "." + std::to_string(t) + "." + f.name);
        Matrix& into = params.*f.field;
        if (it == tensors.end() || it->second->rows() != into.rows() || it->second->cols() != into.cols()) {
          whole = false;
          break;
        }
        into = *it->second;
        finite = finite && into.allFinite();
      }
      if (!whole) continue;
      c.at.push_back(t);
      if (!finite) {
        c.dev.push_back(std::numeric_limits<double>::quiet_NaN());
        continue;
      }
      const BnStats bn = bn_calibrate(params, sample_X);
      c.dev.push_back(mlp_eval_loss(params, bn, data.dev.X, data.dev.Y));
    }
    p.mlp.push_back(std::move(c));
  }
  if (!plot.empty()) {
    const std::filesystem::path at(plot);
    std::string stem = at.stem().string();
    const std::string tail = "_paths";
    if (stem.size() > tail.size() && stem.compare(stem.size() - tail.size(), tail.size(), tail) == 0) stem.resize(stem.size() - tail.size());
    const std::string mlp_plot = (at.parent_path() / (stem + "_mlp.svg")).string();
    if (write_file(mlp_plot, mlp_plot_svg(p))) p.mlp_plot = mlp_plot;
  }
  result.paths = std::move(p);
}

std::string mlp_plot_svg(const PathsResult& p) {
  plot::Figure fig;
  fig.id = "exercise_17_mlp";
  fig.title = "exercise_17: exercise 08's MLP, " + std::to_string(p.steps) + " steps of each optimizer, one start";
  fig.x.title = "step";
  fig.y.title = "dev loss (computed by the checker)";
  const int colours[] = {0, 1, 2, 4, 5};
  for (std::size_t k = 0; k < p.mlp.size(); ++k) {
    const PathsResult::Curve& c = p.mlp[k];
    if (c.at.empty()) continue;
    std::vector<double> x(c.at.begin(), c.at.end());
    plot::Series s{c.name, x, c.dev};
    s.colour = colours[k % 5];
    s.points = true;
    fig.series.push_back(std::move(s));
  }
  return plot::svg(fig);
}

std::string paths_plot_svg(const PathsResult& p) {
  plot::Figure fig;
  fig.id = "exercise_17_paths";
  fig.title = "exercise_17: " + std::to_string(p.steps) + " steps over the Rosenbrock function from (-1.2, 1) (dashed: the checker's)";
  fig.x.title = "x";
  fig.y.title = "y";
  fig.x.min = -2.0, fig.x.max = 2.0;
  fig.y.min = -1.0, fig.y.max = 3.0;
  fig.width = 640, fig.height = 560;
  fig.legend_at = plot::Figure::Corner::TopLeft;
  // log10(f + 0.01) on a 49 x 49 grid, in bands half a decade wide.
  plot::Levels levels;
  for (int i = 0; i <= 48; ++i) levels.x.push_back(-2.0 + 4.0 * i / 48), levels.y.push_back(-1.0 + 4.0 * i / 48);
  for (double y : levels.y) {
    levels.z.emplace_back();
    for (double x : levels.x) levels.z.back().push_back(std::log10(rosenbrock(x, y) + 0.01));
  }
  for (int k = -2; k <= 7; ++k) levels.levels.push_back(0.5 * k);
  fig.levels = std::move(levels);
  const int colours[] = {0, 1, 2, 4, 5};  // orange, sky blue, bluish green, blue, vermillion
  for (std::size_t k = 0; k < p.paths.size(); ++k) {
    const PathsResult::Path& path = p.paths[k];
    auto column = [](const Matrix& m, Index c) {
      std::vector<double> out(static_cast<std::size_t>(m.rows()));
      for (Index i = 0; i < m.rows(); ++i) out[static_cast<std::size_t>(i)] = m(i, c);
      return out;
    };
    plot::Series ref{path.name + ", the checker's", column(path.reference, 0), column(path.reference, 1)};
    ref.colour = colours[k % 5];
    ref.width = 1.2;
    ref.dashed = true;
    ref.in_legend = false;  // the title says what the dashed lines are
    fig.series.push_back(std::move(ref));
    if (path.yours.rows() > 0) {
      const bool short_path = path.yours.rows() < p.steps + 1;
      plot::Series yours{path.name + ", yours" + (short_path ? " (stopped early)" : ""), column(path.yours, 0), column(path.yours, 1)};
      yours.colour = colours[k % 5];
      fig.series.push_back(std::move(yours));
    }
  }
  plot::Series minimum{"minimum (1, 1)", {1.0}, {1.0}};
  minimum.line = false, minimum.points = true, minimum.colour = 6;
  fig.series.push_back(std::move(minimum));
  return plot::svg(fig);
}

}  // namespace bpdojo
