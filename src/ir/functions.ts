/**
 * The function vocabulary of the expression language: the function half of the vocabulary table
 * (ir/operators.ts), seen as every name a user may call, how many arguments it takes and which shape
 * rule applies. Numeric kernels live in numeric/, derivative rules in rules/derivative/ — each keyed
 * by the same FnName, so a missing entry anywhere is a compile error.
 */
import { UnknownError } from '../errors.js';
import { FUNCTION_ROWS, type FnName } from './operators.js';

export type { FnName } from './operators.js';

export const FUNCTIONS = FUNCTION_ROWS;

export const isFnName = (s: string): s is FnName => Object.hasOwn(FUNCTIONS, s);

export const ELEMENTWISE: readonly FnName[] = (Object.keys(FUNCTIONS) as FnName[]).filter(
  (f) => FUNCTIONS[f].shape === 'elementwise',
);

/** Number of tensor arguments a function takes (its scalar parameters come after them). */
export const tensorArity = (f: FnName): number =>
  FUNCTIONS[f].shape === 'elementwise2' || FUNCTIONS[f].shape === 'kron' ? 2 : 1;

/** Whether `f` takes an optional zero-based `dim` after its tensor argument (sum(X, 1), max(X, 0), softmax(X, 1)). */
export const takesDim = (f: FnName): boolean => {
  const rule = FUNCTIONS[f].shape;
  return rule === 'reduce-axis' || rule === 'along-dim' || rule === 'reduce-dim';
};

/** Throws UnknownError unless `f` accepts `given` arguments: its tensor arguments, then optional parameters (or dim). */
export function checkArity(f: FnName, given: number): void {
  const arity = tensorArity(f);
  const max = arity + (takesDim(f) ? 1 : FUNCTIONS[f].params.length);
  if (given < arity || given > max) {
    throw new UnknownError(
      `${f} takes ${arity === max ? arity : `${arity} to ${max}`} argument${max === 1 ? '' : 's'}, not ${given}`,
    );
  }
}

/** The default of a function's i-th scalar parameter (alpha of leaky_relu, elu), used when the call omits it. */
export const defaultParam = (f: FnName, i: number): number => (FUNCTIONS[f].params as readonly number[])[i] ?? 0;
