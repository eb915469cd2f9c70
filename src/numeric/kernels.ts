/**
 * Scalar kernels of the functions: one per elementwise function (its value with the function's
 * parameter, and its domain when smaller than all reals, KERNELS — a missing one is a compile
 * error), and the 2-norm and p-norm scaled against overflow (softmax and logsumexp, shifted by the maximum,
 * slice by slice along a dim, are in softmax.ts). The evaluator applies them; finite differences
 * depend on their accuracy, so each is the stable form.
 */
import { FUNCTIONS, type FnName } from '../ir/functions.js';
import { erf, normalCdf } from './special.js';

export type ElementwiseFn = { [K in FnName]: (typeof FUNCTIONS)[K]['shape'] extends 'elementwise' ? K : never }[FnName];

export interface Kernel {
  /** The value at x with the function's scalar parameter p (the default when not given). */
  readonly f: (x: number, p: number) => number;
  /** The domain, when it is smaller than all reals, and how to say so. */
  readonly domain?: { readonly ok: (x: number) => boolean; readonly needs: string };
}

/** The logistic function, stable on both sides: exp of a non-positive number only. */
const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

/** One kernel per elementwise function; a missing one is a compile error. */
export const KERNELS: { readonly [K in ElementwiseFn]: Kernel } = {
  exp: { f: Math.exp },
  log: { f: Math.log, domain: { ok: (x) => x > 0, needs: 'positive entries' } },
  sqrt: { f: Math.sqrt, domain: { ok: (x) => x >= 0, needs: 'non-negative entries' } },
  sin: { f: Math.sin },
  cos: { f: Math.cos },
  tan: { f: Math.tan },
  tanh: { f: Math.tanh },
  sinh: { f: Math.sinh },
  cosh: { f: Math.cosh },
  asin: { f: Math.asin, domain: { ok: (x) => x >= -1 && x <= 1, needs: 'entries in [-1, 1]' } },
  acos: { f: Math.acos, domain: { ok: (x) => x >= -1 && x <= 1, needs: 'entries in [-1, 1]' } },
  atan: { f: Math.atan },
  erf: { f: erf },
  gelu: { f: (x) => x * normalCdf(x) },
  silu: { f: (x) => x * sigmoid(x) },
  softsign: { f: (x) => x / (1 + Math.abs(x)) },
  log1p: { f: Math.log1p, domain: { ok: (x) => x > -1, needs: 'entries above -1' } },
  expm1: { f: Math.expm1 },
  abs: { f: Math.abs },
  sign: { f: Math.sign },
  sigmoid: { f: sigmoid },
  relu: { f: (x) => (x > 0 ? x : 0) },
  // log(1 + e^x) = max(x, 0) + log1p(e^-|x|), without overflow.
  softplus: { f: (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))) },
  step: { f: (x) => (x > 0 ? 1 : 0) },
  leaky_relu: { f: (x, alpha) => (x > 0 ? x : alpha * x) },
  elu: { f: (x, alpha) => (x > 0 ? x : alpha * Math.expm1(x)) },
};

export const isElementwise = (fn: FnName): fn is ElementwiseFn => FUNCTIONS[fn].shape === 'elementwise';

export function norm2(data: Float64Array): number {
  // Scaled by the largest entry, so squares cannot overflow.
  let big = 0;
  for (const v of data) big = Math.max(big, Math.abs(v));
  if (big === 0) return 0;
  let s = 0;
  for (const v of data) s += (v / big) ** 2;
  return big * Math.sqrt(s);
}

/** The p-norm (Σ|xᵢ|ᵖ)^(1/p), scaled by the largest entry so that powers neither overflow nor underflow. */
export function pNorm(data: Float64Array, p: number): number {
  let big = 0;
  for (const v of data) big = Math.max(big, Math.abs(v));
  if (big === 0) return 0;
  let s = 0;
  for (const v of data) s += (Math.abs(v) / big) ** p;
  return big * s ** (1 / p);
}
