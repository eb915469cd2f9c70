/**
 * Differentials of softmax, log-softmax and log-sum-exp: of a vector, and of a batch along a dim
 * (softmax(X, 1) normalises each row of X, softmax(X, 0) each column). With P = softmax(X, 1), each
 * row is the vector rule ds = s .* (dz - 1 s'dz) side by side:
 *
 *   d softmax(X, 1) = P .* (dX - sum(P .* dX, 1)*vector(1)')   (row sums of P .* dX, spread along each row)
 *
 * so a gradient comes back in the batch's own shape, G_X = P .* (G - sum(G .* P, 1)*vector(1)') —
 * the form of the papers' backward passes (Dao et al. 2022, FlashAttention, App. B.2), never a
 * Jacobian of the flattened batch. Dim 0 is the same down the columns: sum(·, 0) is a row, spread
 * by vector(1) on the left. `d` is the vector's rule, `alongDim` dim 0 and dim 1 of a matrix.
 */
import type { DifferentialRule } from './types.js';

export const softmaxFunctions = {
  softmax: {
    d: "softmax(X).*dX - softmax(X)*(softmax(X)'*dX)",
    alongDim: [
      'softmax(X, 0).*(dX - vector(1)*sum(softmax(X, 0).*dX, 0))',
      "softmax(X, 1).*(dX - sum(softmax(X, 1).*dX, 1)*vector(1)')",
    ],
    ref: "ds = (diag(s) - s s')dz = s .* (dz - 1 s'dz) (Goodfellow et al., Deep Learning §6.2.2.3), row by row for a batch",
  },
  log_softmax: {
    d: "dX - vector(1)*(softmax(X)'*dX)",
    alongDim: [
      'dX - vector(1)*sum(softmax(X, 0).*dX, 0)',
      "dX - sum(softmax(X, 1).*dX, 1)*vector(1)'",
    ],
    ref: "log softmax(z) = z - 1 logsumexp(z), so d = dz - 1 softmax(z)'dz, row by row for a batch",
  },
  logsumexp: {
    d: "softmax(X)'*dX",
    alongDim: ['sum(softmax(X, 0).*dX, 0)', 'sum(softmax(X, 1).*dX, 1)'],
    ref: "d logsumexp(z) = softmax(z)'dz (Boyd & Vandenberghe §3.1.5), one entry per row (column) of a batch",
  },
} as const satisfies Record<string, DifferentialRule>;
