/**
 * The checker's question and the points it is judged at. A question is the expected derivative,
 * derived once by derivative() (itself verified by finite differences in the test suite), with the
 * variables and intermediates an answer may use; gradeAll reuses one question for many answers.
 * Points are drawn from the variables' domains (numeric/random.ts), each with its own dimension
 * sizes so that coincidences of size do not pass, and kept only where the expected derivative is
 * finite and away from kinks; a point outside a function's domain moves to the next rung of the
 * sampling ladder, as in verify().
 */
import { type Derivative, derivative } from '../api/derivative.js';
import { DomainError, RequestError, UnsupportedError } from '../errors.js';
import type { Expr, Prop, Var } from '../ir/expr.js';
import { varsOf } from '../ir/walk.js';
import type { Declarations } from '../parse/parse.js';
import { bindDims, evaluator } from '../numeric/evaluate.js';
import { type Rung, defaultDims, nextRung, randomPointOnRung } from '../numeric/random.js';
import { type Tensor, allFinite } from '../numeric/tensor.js';
import { kinkTest } from './kinks.js';

export interface CheckOptions {
  readonly vars?: Declarations;
  readonly order?: number;
  readonly seed?: number;
}

/** Random points per comparison; each has its own dimension sizes, so coincidences of size do not pass. */
export const POINTS = 4;
const MAX_TRIES = 12;
const DEFAULT_SEED = 20261125;

export interface Question {
  readonly d: Derivative;
  /** The derivative in matrix form. */
  readonly expected: Expr;
  /** The question's variables (the answer may use these and no others). */
  readonly vars: readonly Var[];
  /** The question's intermediates (z1 = W1*x + b1, …), which the answer may use by name. */
  readonly intermediates: ReadonlyMap<string, Expr>;
  readonly seed: number;
}

/** Derives the expected result; throws the typed error of a bad question. */
export function prepareQuestion(expr: string, wrt: string, opts: CheckOptions = {}): Question {
  if (typeof expr !== 'string') throw new RequestError("the question's expression must be a string");
  if (typeof wrt !== 'string') throw new RequestError('the variable to differentiate by ("wrt") must be a string');
  const d = derivative(expr, wrt, {
    ...(opts.order !== undefined ? { order: opts.order } : {}),
    ...(opts.vars ? { vars: opts.vars } : {}),
  });
  if (d.kind === 'differential') {
    throw new UnsupportedError(
      `matcalc has no matrix form for this derivative (${d.symbolic.note ?? 'only a differential'}), so an answer cannot be compared with it`,
    );
  }
  return { d, expected: d.expr, vars: varsOf(d.f), intermediates: d.intermediates, seed: opts.seed ?? DEFAULT_SEED };
}

export interface Point {
  readonly seed: number;
  readonly env: Map<string, Tensor>;
  /** Sizes of the question's dimension names. */
  readonly sizes: ReadonlyMap<string, number>;
  /** The expected derivative's value here. */
  readonly e: Tensor;
}

/**
 * `count` points inside the domain where the expected derivative is finite. `symmetric` names
 * matrices to sample symmetric (to test an assumed symmetry). Like verify(): a point outside a
 * function's domain moves to the next rung of the sampling ladder (numeric/random.ts).
 */
export function samplePoints(q: Question, count: number, symmetric: ReadonlySet<string> = new Set()): Point[] {
  const run = evaluator(q.expected);
  const onKink = kinkTest([q.d.f, q.expected]);
  const out: Point[] = [];
  let rung: Rung = 'normal';
  for (let k = 0; out.length < count && k < count + MAX_TRIES; k++) {
    const seed = q.seed + 7919 * k;
    const dims = defaultDims(q.d.f, seed);
    const vars = q.vars.map((v) => withProps(v, symmetric.has(v.name) ? ['symmetric'] : []));
    try {
      const env = randomPointOnRung(vars, dims, seed, rung);
      const sizes = bindDims(q.vars, env, dims);
      const e = run(env, sizes);
      if (allFinite(e.data) && !onKink(env, sizes)) out.push({ seed, env, sizes, e });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      rung = nextRung(rung);
    }
  }
  if (out.length === 0)
    throw new DomainError(
      'could not find a point inside the domain where the derivative is defined to compare the answer at',
    );
  return out;
}

const withProps = (v: Var, extra: readonly Prop[]): Var =>
  extra.length === 0 ? v : { ...v, props: [...new Set([...v.props, ...extra])] };
