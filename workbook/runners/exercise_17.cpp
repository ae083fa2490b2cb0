#include "problems/exercise_17_optimizers.hpp"
#include "bpdojo/runner.hpp"

namespace bpdojo::runner {

int exercise_number() { return 17; }

void run(Session& session) {
  const OptimizersInstance in = exercise_17_instance(session.seed(), session.sizes());
  // Each update on copies of the case's parameter and state; the results are reported after it returns.
  for (const UpdateCase& c : in.cases) {
    Matrix param = c.param;
    std::vector<Matrix> state = c.state;
    std::vector<std::string> names = {c.name + ".param"};
    for (const std::string& s : state_names(c.optimizer)) names.push_back(c.name + "." + s);
    const bool done = guarded(session, names, [&] {
      switch (c.optimizer) {
        case Optimizer::Sgd: sgd_step(param, c.grad, state[0], c.t, in.sgd); break;
        case Optimizer::Nesterov: sgd_step(param, c.grad, state[0], c.t, in.nesterov); break;
        case Optimizer::Rmsprop: rmsprop_step(param, c.grad, state[0], in.rmsprop); break;
        case Optimizer::Adam: adam_step(param, c.grad, state[0], state[1], c.t, in.adam); break;
        case Optimizer::AdamW: adamw_step(param, c.grad, state[0], state[1], c.t, in.adamw); break;
      }
    });
    if (!done) continue;
    session.report(names[0], param);
    for (std::size_t k = 0; k < state.size(); ++k) session.report(names[k + 1], state[k]);
  }
  // The paths over the Rosenbrock function: S steps of each optimizer with the learner's functions
  // from the same start, each reported as "path.<optimizer>" (S+1, 2), up to where it stops being
  // finite. Shown beside the checker's own, never judged.
  const std::int64_t steps = session.size("S");
  if (steps <= 0) return;
  const OptimizersInstance h = path_configs();
  for (const Optimizer o : kOptimizers) {
    const std::string name = std::string("path.") + optimizer_name(o);
    Matrix param(1, 2);
    param << kRosenbrockStart[0], kRosenbrockStart[1];
    std::vector<Matrix> state(state_names(o).size(), Matrix::Zero(1, 2));
    Matrix path(steps + 1, 2);
    path.row(0) = param;
    std::int64_t done = 0;
    const bool finished = guarded(session, {name}, [&] {
      for (std::int64_t t = 1; t <= steps; ++t) {
        const Matrix grad = rosenbrock_grad(param);
        const int step = static_cast<int>(t);
        switch (o) {
          case Optimizer::Sgd: sgd_step(param, grad, state[0], step, h.sgd); break;
          case Optimizer::Nesterov: sgd_step(param, grad, state[0], step, h.nesterov); break;
          case Optimizer::Rmsprop: rmsprop_step(param, grad, state[0], h.rmsprop); break;
          case Optimizer::Adam: adam_step(param, grad, state[0], state[1], step, h.adam); break;
          case Optimizer::AdamW: adamw_step(param, grad, state[0], state[1], step, h.adamw); break;
        }
        if (param.rows() != 1 || param.cols() != 2 || !param.allFinite()) break;
        path.row(t) = param;
        done = t;
      }
    });
    if (finished) session.report(name, Matrix(path.topRows(done + 1)));
  }
}

}  // namespace bpdojo::runner
