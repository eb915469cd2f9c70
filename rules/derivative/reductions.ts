/**
 * Differentials of the reductions (mean, var, std, max, min; sum is in matrix.ts) and of the
 * elementwise maximum and minimum. A reduction's `d` is over all entries, `alongDim` along dim 0
 * (down the columns of a k×n X, a 1×n row) and dim 1 (along each row, a k-vector); the centred X
 * is written with an explicit broadcast, vector(1)*mean(X, 0) or mean(X, 1)*vector(1)', so each
 * template stays in the batch's own shapes and the gradient comes out in matrix form.
 *
 * Variance and standard deviation are the population ones (1/n), NumPy's default and what layer and
 * batch norm use (Ba et al. 2016; Ioffe & Szegedy 2015). max and min pass the differential of the
 * entry that attains them: 1 - step(max(X) - X) is 1 there and 0 elsewhere. At a tie the derivative
 * jumps (a kink, like relu at 0): verify() resamples such points and the checker skips them.
 */
import type { DifferentialRule } from './types.js';

/** The centred X: X minus its mean broadcast back over the dim reduced. */
const CENTRED = ['X - mean(X)', 'X - vector(1)*mean(X, 0)', "X - mean(X, 1)*vector(1)'"] as const;
/** The indicator of the entries where X attains its max (min), broadcast like CENTRED. */
const AT_MAX = ['1 - step(max(X) - X)', '1 - step(vector(1)*max(X, 0) - X)', "1 - step(max(X, 1)*vector(1)' - X)"] as const;
const AT_MIN = ['1 - step(X - min(X))', '1 - step(X - vector(1)*min(X, 0))', "1 - step(X - min(X, 1)*vector(1)')"] as const;

export const reductions = {
  mean: { d: 'mean(dX)', alongDim: ['mean(dX, 0)', 'mean(dX, 1)'], ref: 'linearity: d mean(X) = mean(dX)' },
  var: {
    d: `2*mean((${CENTRED[0]}).*dX)`,
    alongDim: [`2*mean((${CENTRED[1]}).*dX, 0)`, `2*mean((${CENTRED[2]}).*dX, 1)`],
    ref: 'd var(x) = (2/n) Σ (xᵢ − x̄) dxᵢ, the term in dx̄ vanishing since Σ (xᵢ − x̄) = 0 (population variance, numpy.var ddof = 0)',
  },
  std: {
    d: `mean((${CENTRED[0]}).*dX)/std(X)`,
    alongDim: [`mean((${CENTRED[1]}).*dX, 0)./std(X, 0)`, `mean((${CENTRED[2]}).*dX, 1)./std(X, 1)`],
    ref: 'd std = d var / (2 std), std = √var (population)',
    domain: 'nonzero',
  },
  max: {
    d: `sum((${AT_MAX[0]}).*dX)`,
    alongDim: [`sum((${AT_MAX[1]}).*dX, 0)`, `sum((${AT_MAX[2]}).*dX, 1)`],
    ref: 'the arg-max entry passes its differential (Goodfellow et al. 2013, maxout); ties are kinks',
    domain: 'nonzero',
  },
  min: {
    d: `sum((${AT_MIN[0]}).*dX)`,
    alongDim: [`sum((${AT_MIN[1]}).*dX, 0)`, `sum((${AT_MIN[2]}).*dX, 1)`],
    ref: 'the arg-min entry passes its differential; ties are kinks',
    domain: 'nonzero',
  },
  maximum: { d: 'step(A - B).*dA + step(B - A).*dB', ref: 'the larger argument passes its differential (maxout; ties are kinks)', domain: 'nonzero' },
  minimum: { d: 'step(B - A).*dA + step(A - B).*dB', ref: 'the smaller argument passes its differential (ties are kinks)', domain: 'nonzero' },
} as const satisfies Record<string, DifferentialRule>;
