/**
 * Numeric kernels of softmax, log-softmax and log-sum-exp: of a vector, and of each row (dim 1) or
 * column (dim 0) of a row-major matrix. Each slice is shifted by its maximum before exp, so no
 * entry overflows (the log-sum-exp trick); log-softmax is x - logsumexp(x), never log of a rounded
 * zero.
 */
import type { Tensor } from './tensor.js';

/** The slices a function works on: the whole vector, or the rows (dim 1) or columns (dim 0) of a matrix. */
interface Slices {
  readonly count: number;
  readonly length: number;
  /** The flat index of entry j of slice i. */
  at(i: number, j: number): number;
}

function slices(t: Tensor, dim: 0 | 1 | undefined): Slices {
  if (t.dims.length < 2 || dim === undefined) return { count: 1, length: t.data.length, at: (_, j) => j };
  const [m, n] = [t.dims[0]!, t.dims[1]!];
  return dim === 1
    ? { count: m, length: n, at: (i, j) => i * n + j }
    : { count: n, length: m, at: (i, j) => j * n + i };
}

/** log Σ exp of each slice, stably. */
function logsumexps(t: Tensor, s: Slices): Float64Array {
  const out = new Float64Array(s.count);
  for (let i = 0; i < s.count; i++) {
    let max = -Infinity;
    for (let j = 0; j < s.length; j++) max = Math.max(max, t.data[s.at(i, j)]!);
    let sum = 0;
    for (let j = 0; j < s.length; j++) sum += Math.exp(t.data[s.at(i, j)]! - max);
    out[i] = max + Math.log(sum);
  }
  return out;
}

/** logsumexp(x), or of each row (dim 1) or column (dim 0): one entry per slice. */
export function logsumexpAlong(t: Tensor, dim: 0 | 1 | undefined): Float64Array {
  return logsumexps(t, slices(t, dim));
}

/** log_softmax(x) = x - logsumexp(x), slice by slice, in the input's layout. */
export function logSoftmaxAlong(t: Tensor, dim: 0 | 1 | undefined): Float64Array {
  const s = slices(t, dim);
  const lse = logsumexps(t, s);
  const out = new Float64Array(t.data.length);
  for (let i = 0; i < s.count; i++) for (let j = 0; j < s.length; j++) out[s.at(i, j)] = t.data[s.at(i, j)]! - lse[i]!;
  return out;
}

/** softmax(x) = exp(x - logsumexp(x)), slice by slice, in the input's layout. */
export function softmaxAlong(t: Tensor, dim: 0 | 1 | undefined): Float64Array {
  return logSoftmaxAlong(t, dim).map(Math.exp);
}
