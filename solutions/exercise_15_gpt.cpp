// Exercise 15: a GPT block trained on names, the reference solution.
#include "bpdojo/exercise_15_gpt.hpp"

#include <cmath>

namespace bpdojo {

namespace {

// Layer norm's backward (exercise 12's fused form): dx, and dw, db added up over the rows.
Matrix layer_norm_back(const Matrix& x, const Matrix& mean, const Matrix& rstd, const Matrix& w, const Matrix& dout, Matrix& dw,
                       Matrix& db) {
  const Matrix norm = (x.colwise() - mean.col(0)).array().colwise() * rstd.col(0).array();
  dw = (dout.array() * norm.array()).colwise().sum();
  db = dout.colwise().sum();
  const Matrix dnorm = dout.array().rowwise() * w.row(0).array();
  const double C = static_cast<double>(x.cols());
  const Matrix m1 = dnorm.rowwise().sum() / C;
  const Matrix m2 = (dnorm.array() * norm.array()).rowwise().sum() / C;
  return ((dnorm.colwise() - m1.col(0)).array() - norm.array().colwise() * m2.col(0).array()).colwise() * rstd.col(0).array();
}

}  // namespace

void gpt_backward(const GptBatch& batch, const GptParams& p, const GptCache& c, GptGrads& grads) {
  const Index B = batch.B, T = batch.T, H = p.H, C = p.wte.cols(), D = C / H, N = B * T;
  // Cross-entropy averaged over the real positions: (probs - onehot(y)) * mask / count.
  Matrix dlogits = c.probs;
  for (Index r = 0; r < N; ++r) {
    dlogits(r, batch.y[static_cast<std::size_t>(r)]) -= 1.0;
    dlogits.row(r) *= batch.mask(r, 0) / batch.count;
  }
  grads.dlogits = dlogits;
  grads.dlmw = c.lnf.transpose() * dlogits;
  grads.dlmb = dlogits.colwise().sum();
  const Matrix dlnf = dlogits * p.lmw.transpose();
  grads.dlnf = dlnf;
  Matrix dw, db;
  const Matrix dres3 = layer_norm_back(c.residual3, c.lnf_mean, c.lnf_rstd, p.lnfw, dlnf, dw, db);
  grads.dlnfw = dw;
  grads.dlnfb = db;
  grads.dresidual3 = dres3;
  // residual3 = residual2 + fcproj: both get dres3.
  grads.dfcprojw = c.fch_gelu.transpose() * dres3;
  grads.dfcprojb = dres3.colwise().sum();
  const Matrix dgelu = dres3 * p.fcprojw.transpose();
  grads.dfch_gelu = dgelu;
  // GELU, tanh approximation: y = 0.5 x (1 + tanh(u)), u = k0 (x + k1 x^3).
  const double k0 = std::sqrt(2.0 / 3.14159265358979323846), k1 = 0.044715;
  const Eigen::ArrayXXd x = c.fch.array();
  const Eigen::ArrayXXd th = (k0 * (x + k1 * x.cube())).tanh();
  const Eigen::ArrayXXd local = 0.5 * (1.0 + th) + 0.5 * x * (1.0 - th.square()) * k0 * (1.0 + 3.0 * k1 * x.square());
  const Matrix dfch = (dgelu.array() * local).matrix();
  grads.dfch = dfch;
  grads.dfcw = c.ln2.transpose() * dfch;
  grads.dfcb = dfch.colwise().sum();
  const Matrix dln2 = dfch * p.fcw.transpose();
  grads.dln2 = dln2;
  const Matrix dres2 = dres3 + layer_norm_back(c.residual2, c.ln2_mean, c.ln2_rstd, p.ln2w, dln2, dw, db);
  grads.dln2w = dw;
  grads.dln2b = db;
  grads.dresidual2 = dres2;
  // residual2 = encoded + attproj.
  grads.dattprojw = c.atty.transpose() * dres2;
  grads.dattprojb = dres2.colwise().sum();
  const Matrix datty = dres2 * p.attprojw.transpose();
  grads.datty = datty;
  // Attention, per name and head (exercise 14's Part 2).
  Matrix dqkv = Matrix::Zero(N, 3 * C);
  const double scale = 1.0 / std::sqrt(static_cast<double>(D));
  for (Index b = 0; b < B; ++b)
    for (Index h = 0; h < H; ++h) {
      const Matrix att = c.att.middleRows((b * H + h) * T, T);
      const Matrix q = c.qkv.block(b * T, h * D, T, D), k = c.qkv.block(b * T, C + h * D, T, D);
      const Matrix v = c.qkv.block(b * T, 2 * C + h * D, T, D), dy = datty.block(b * T, h * D, T, D);
      const Matrix datt = dy * v.transpose();
      dqkv.block(b * T, 2 * C + h * D, T, D) = att.transpose() * dy;
      const Matrix dz = (att.array() * (datt.colwise() - (datt.array() * att.array()).rowwise().sum().matrix().col(0)).array()).matrix() *
                        scale;
      dqkv.block(b * T, h * D, T, D) = dz * k;
      dqkv.block(b * T, C + h * D, T, D) = dz.transpose() * q;
    }
  grads.dqkv = dqkv;
  grads.dattnw = c.ln1.transpose() * dqkv;
  grads.dattnb = dqkv.colwise().sum();
  const Matrix dln1 = dqkv * p.attnw.transpose();
  grads.dln1 = dln1;
  const Matrix denc = dres2 + layer_norm_back(c.encoded, c.ln1_mean, c.ln1_rstd, p.ln1w, dln1, dw, db);
  grads.dln1w = dw;
  grads.dln1b = db;
  grads.dencoded = denc;
  // encoded = wte[x] + wpe[t]: rows added into the tables (a character may repeat; every name
  // adds into the same position's row).
  Matrix dwte = Matrix::Zero(p.wte.rows(), C), dwpe = Matrix::Zero(p.wpe.rows(), C);
  for (Index r = 0; r < N; ++r) {
    dwte.row(batch.x[static_cast<std::size_t>(r)]) += denc.row(r);
    dwpe.row(r % T) += denc.row(r);
  }
  grads.dwte = dwte;
  grads.dwpe = dwpe;
}

void gpt_sgd_step(GptParams& p, const GptGrads& g, double lr) {
  p.wte -= lr * g.dwte.value();
  p.wpe -= lr * g.dwpe.value();
  p.ln1w -= lr * g.dln1w.value();
  p.ln1b -= lr * g.dln1b.value();
  p.attnw -= lr * g.dattnw.value();
  p.attnb -= lr * g.dattnb.value();
  p.attprojw -= lr * g.dattprojw.value();
  p.attprojb -= lr * g.dattprojb.value();
  p.ln2w -= lr * g.dln2w.value();
  p.ln2b -= lr * g.dln2b.value();
  p.fcw -= lr * g.dfcw.value();
  p.fcb -= lr * g.dfcb.value();
  p.fcprojw -= lr * g.dfcprojw.value();
  p.fcprojb -= lr * g.dfcprojb.value();
  p.lnfw -= lr * g.dlnfw.value();
  p.lnfb -= lr * g.dlnfb.value();
  p.lmw -= lr * g.dlmw.value();
  p.lmb -= lr * g.dlmb.value();
}

}  // namespace bpdojo
