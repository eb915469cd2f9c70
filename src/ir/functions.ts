/**
 * The function vocabulary of the expression language: every name a user may call, how many
 * arguments it takes and which shape rule applies. Numeric kernels live in numeric/, derivative
 * rules in rules/derivative/, LaTeX names in print/latex.ts — each keyed by the same FnName, so a
 * missing entry anywhere is a compile error.
 */
import { UnknownError } from '../errors.js';

export const FUNCTIONS = {
  // elementwise, one tensor argument (+ optional scalar parameters, given as numbers)
  exp: { shape: 'elementwise', params: [] },
  log: { shape: 'elementwise', params: [] },
  sqrt: { shape: 'elementwise', params: [] },
  sin: { shape: 'elementwise', params: [] },
  cos: { shape: 'elementwise', params: [] },
  tan: { shape: 'elementwise', params: [] },
  tanh: { shape: 'elementwise', params: [] },
  abs: { shape: 'elementwise', params: [] },
  sign: { shape: 'elementwise', params: [] },
  sigmoid: { shape: 'elementwise', params: [] },
  relu: { shape: 'elementwise', params: [] },
  softplus: { shape: 'elementwise', params: [] },
  /** Heaviside step, 1 where x > 0 else 0: relu's derivative, printed as (x > 0). */
  step: { shape: 'elementwise', params: [] },
  leaky_relu: { shape: 'elementwise', params: [0.01] },
  elu: { shape: 'elementwise', params: [1] },
  // elementwise, two tensors of one shape
  max: { shape: 'elementwise2', params: [] },
  // reductions to a scalar
  sum: { shape: 'reduce', params: [] },
  norm1: { shape: 'reduce', params: [] },
  norm2: { shape: 'reduce', params: [] },
  tr: { shape: 'square-to-scalar', params: [] },
  det: { shape: 'square-to-scalar', params: [] },
  logdet: { shape: 'square-to-scalar', params: [] },
  logsumexp: { shape: 'vector-to-scalar', params: [] },
  // structural
  inv: { shape: 'square', params: [] },
  diag: { shape: 'diag', params: [] },
  softmax: { shape: 'vector-to-vector', params: [] },
  kron: { shape: 'kron', params: [] },
  /** Row-major vectorisation (rows stacked), matching the tensor layout of derivative values. */
  vec: { shape: 'vec', params: [] },
} as const;

export type FnName = keyof typeof FUNCTIONS;

export const isFnName = (s: string): s is FnName => Object.hasOwn(FUNCTIONS, s);

export const ELEMENTWISE: readonly FnName[] = (Object.keys(FUNCTIONS) as FnName[]).filter(
  (f) => FUNCTIONS[f].shape === 'elementwise',
);

/** Number of tensor arguments a function takes (its scalar parameters come after them). */
export const tensorArity = (f: FnName): number =>
  FUNCTIONS[f].shape === 'elementwise2' || FUNCTIONS[f].shape === 'kron' ? 2 : 1;

/** Throws UnknownError unless `f` accepts `given` arguments: its tensor arguments, then optional parameters. */
export function checkArity(f: FnName, given: number): void {
  const arity = tensorArity(f);
  const max = arity + FUNCTIONS[f].params.length;
  if (given < arity || given > max) {
    throw new UnknownError(`${f} takes ${arity === max ? arity : `${arity} to ${max}`} argument${max === 1 ? '' : 's'}, not ${given}`);
  }
}

/** The default of a function's i-th scalar parameter (alpha of leaky_relu, elu), used when the call omits it. */
export const defaultParam = (f: FnName, i: number): number => (FUNCTIONS[f].params as readonly number[])[i] ?? 0;
