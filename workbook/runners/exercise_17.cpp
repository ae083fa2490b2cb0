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
}

}  // namespace bpdojo::runner
