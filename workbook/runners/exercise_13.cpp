#include "problems/exercise_13_rnn.hpp"
#include "bpdojo/runner.hpp"

namespace bpdojo::runner {

int exercise_number() { return 13; }

void run(Session& session) {
  const RnnInstance in = exercise_13_instance(session.seed(), session.sizes());
  // Full BPTT (k = T: nothing is cut), then truncated every K steps.
  for (const bool truncated : {false, true}) {
    RnnGrads g(truncated ? RnnCall::Truncated : RnnCall::Full);
    const int k = truncated ? in.k : static_cast<int>(in.batch.T);
    session.call({&g.dlogits, &g.dWhy, &g.dby, &g.dh, &g.da, &g.dWxh, &g.dWhh, &g.dbh, &g.dh0},
                 [&] { rnn_backward(in.batch, in.params, in.cache, k, g); });
  }
  // The gradient flow: full BPTT on the windows whose loss is at the last step, Whh small, then
  // large; only dh is judged (its norm per step is plotted), the other gradients go unread.
  for (const bool exploding : {false, true}) {
    const FlowCase& f = exploding ? in.explode : in.vanish;
    RnnGrads g(exploding ? RnnCall::Exploding : RnnCall::Vanishing);
    session.call({&g.dh}, [&] { rnn_backward(f.batch, f.params, f.cache, static_cast<int>(f.batch.T), g); });
  }
  // Clipping by the global norm: above max_norm (the norm and every clipped gradient), then below.
  for (const bool above : {true, false}) {
    const ClipCase& c = above ? in.clip : in.noclip;
    const std::string prefix = above ? "clip." : "noclip.";
    std::vector<Matrix> grads = c.grads;
    std::vector<Matrix*> pointers;
    std::vector<std::string> names;
    if (above) names.push_back("clip.total_norm");
    for (std::size_t k = 0; k < grads.size(); ++k) {
      pointers.push_back(&grads[k]);
      names.push_back(prefix + "d" + kClipNames[k]);
    }
    double total = 0.0;
    if (!guarded(session, names, [&] { total = clip_grad_norm(pointers, c.max_norm); })) continue;
    if (above) session.report("clip.total_norm", Matrix::Constant(1, 1, total));
    for (std::size_t k = 0; k < grads.size(); ++k) session.report(prefix + "d" + kClipNames[k], grads[k]);
  }
}

}  // namespace bpdojo::runner
