// Exercise 11: the gradient check (init_std on a table of layers; stack_backward on three stacks),
// then, with S > 0 steps, the experiment on deep stacks with the learner's code: each
// configuration's figures reported as series for the checker to judge against its own run.
#include "problems/exercise_11_deep.hpp"
#include "bpdojo/protocol.hpp"
#include "bpdojo/runner.hpp"

#include <string>
#include <vector>

namespace bpdojo::runner {
namespace {

void report_or_unset(Session& s, const std::string& name, const Matrix* m) {
  if (m == nullptr || m->size() == 0) s.report_stopped(name, true, std::string(protocol::kNotSetText));
  else s.report(name, *m);
}

}  // namespace

int exercise_number() { return 11; }

void run(Session& s) {
  const DeepInstance in = exercise_11_instance(s.seed(), s.sizes());
  // (a) init_std, one row per case.
  Matrix stds(static_cast<Index>(in.init_cases.size()), 1);
  if (guarded(s, {"init_std"}, [&] {
        for (std::size_t k = 0; k < in.init_cases.size(); ++k) {
          const InitCase& c = in.init_cases[k];
          stds(static_cast<Index>(k), 0) = init_std(c.fan_in, c.fan_out, c.f, c.scheme);
        }
      }))
    s.report("init_std", stds);
  // (b) stack_backward on each stack; dW and db counted from 1 in the names.
  for (const StackProblem& p : in.stacks) {
    const std::string prefix = std::string(p.name) + ".";
    const std::size_t L = p.cache.layers.size();
    std::vector<std::string> names;
    for (std::size_t l = L; l >= 1; --l) {
      names.push_back(prefix + "dW" + std::to_string(l));
      names.push_back(prefix + "db" + std::to_string(l));
    }
    names.push_back(prefix + "dx");
    StackGrads g;
    if (!guarded(s, names, [&] { stack_backward(p.cache, p.dy, g); })) continue;
    for (std::size_t l = L; l >= 1; --l) {
      report_or_unset(s, prefix + "dW" + std::to_string(l), l <= g.dW.size() ? &g.dW[l - 1] : nullptr);
      report_or_unset(s, prefix + "db" + std::to_string(l), l <= g.db.size() ? &g.db[l - 1] : nullptr);
    }
    report_or_unset(s, prefix + "dx", &g.dx);
  }
  // The experiment: every configuration with the learner's stack_backward and init_std.
  const std::int64_t steps = s.size("S");
  if (steps <= 0) return;
  guarded(s, {kExperimentRow}, [&] {
    for (const DeepConfig& c : deep_configs()) {
      const DeepFigures f = run_deep_experiment(c, s.seed(), steps, stack_backward, init_std);
      const std::vector<double>* fields[] = {&f.loss, &f.grad_rms, &f.bias_rms, &f.act_std, &f.saturation, &f.update_ratio};
      static_assert(std::size(fields) == std::size(kDeepFields));
      for (std::size_t k = 0; k < std::size(kDeepFields); ++k) s.report_series(c.name() + "." + kDeepFields[k], *fields[k]);
    }
  });
}

}  // namespace bpdojo::runner
