/**
 * verify(): a symbolic derivative against central finite differences, at random points drawn from
 * each variable's domain (seeded; the seed is reported so a failure can be replayed).
 *
 * Order 1 is compared with finite differences of f itself. Order k ≥ 2 is compared with finite
 * differences of the symbolic order k-1 derivative (first differences of a first derivative are far
 * more accurate than k-th differences of f — DESIGN-NOTES), itself verified when that order is asked
 * for. Points near a kink (relu, abs, max at a tie) are resampled rather than reported. For large
 * variables the check uses random directions: J·v against (f(x+hv) - f(x-hv))/2h.
 */
import { DomainError } from '../errors.js';
import type { Expr, Var } from '../ir/expr.js';
import { varsOf } from '../ir/walk.js';
import type { DimSizes, Env } from '../numeric/evaluate.js';
import { type Comparison, NearKinkError, ORDER1, type Tolerance, compareTensors, fdDirectional, fdJacobian } from '../numeric/fd.js';
import { defaultDims, mulberry32, randomPoint } from '../numeric/random.js';
import { type Tensor, sizeOf, tensor } from '../numeric/tensor.js';

export interface VerifyOptions {
  /** Number of random points (default 3). */
  readonly points?: number;
  readonly seed?: number;
  /** Check at this point only (plus nothing random). */
  readonly at?: Env;
  /** Above this many entries in the variable, check random directions instead of every entry. */
  readonly directionalAbove?: number;
}

export interface VerifyReport {
  readonly ok: boolean;
  /** Largest relative error over all points (relative to the derivative's typical magnitude). */
  readonly maxError: number;
  readonly points: number;
  readonly seed: number;
  readonly method: 'entrywise' | 'directional';
  /** On failure: where, and both values (for the directional method, an entry of J·v and its difference quotient). */
  readonly failure?: { readonly at: Env; readonly index: readonly number[]; readonly symbolic: number; readonly numeric: number };
  /** Points skipped because f had a kink there. */
  readonly resampled: number;
}

/** What is being checked: `value` is the symbolic derivative of `base` with respect to `wrt`. */
export interface Claim {
  /** The function whose first derivative `value` claims to be (f, or the order k-1 derivative). */
  readonly base: (at: Env, dims?: DimSizes) => Tensor;
  /** The claimed derivative's value, in the layout dims(base) + dims(wrt). */
  readonly value: (at: Env, dims?: DimSizes) => Tensor;
  /** Every variable the point must bind, with its domain. */
  readonly vars: readonly Var[];
  readonly wrt: Var;
  /** Expressions whose dimension names need sizes. */
  readonly exprs: readonly Expr[];
}

const MAX_TRIES = 12;

export function verifyClaim(claim: Claim, opts: VerifyOptions = {}): VerifyReport {
  const seed = opts.seed ?? 20261125;
  const want = opts.at ? 1 : opts.points ?? 3;
  let worst = 0, checked = 0, resampled = 0, positiveOnly = false;
  let method: VerifyReport['method'] = 'entrywise';
  for (let attempt = 0; checked < want && attempt < want + MAX_TRIES; attempt++) {
    const s = seed + 7919 * attempt;
    let at: Env;
    try {
      const point = opts.at ? { at: opts.at, dims: undefined } : samplePoint(claim, s, positiveOnly);
      at = point.at;
      const base = (a: Env) => claim.base(a, point.dims);
      const sym = claim.value(at, point.dims);
      const n = sizeOf(at.get(claim.wrt.name)!.dims);
      const directional = n > (opts.directionalAbove ?? 64);
      method = directional ? 'directional' : 'entrywise';
      const tol = withRoundingFloor(base(at), at.get(claim.wrt.name)!);
      const check = directional ? directionalCheck(base, claim.wrt.name, at, sym, s, tol) : entrywiseCheck(base, claim.wrt.name, at, sym, tol);
      const { cmp } = check;
      checked++;
      worst = Math.max(worst, cmp.maxError);
      if (!cmp.ok) {
        const flat = cmp.worstIndex.reduce((acc, i, k) => acc * check.numeric.dims[k]! + i, 0);
        return {
          ok: false, maxError: worst, points: checked, seed, method, resampled,
          failure: { at, index: cmp.worstIndex, symbolic: check.symbolic.data[flat] ?? NaN, numeric: check.numeric.data[flat] ?? NaN },
        };
      }
    } catch (err) {
      if (opts.at) throw err;
      if (err instanceof NearKinkError) { resampled++; continue; }
      // A random point outside the domain (log of a negative number, …): draw positive values.
      if (err instanceof DomainError && !positiveOnly) { positiveOnly = true; continue; }
      if (err instanceof DomainError) { resampled++; continue; }
      throw err;
    }
  }
  if (checked === 0) throw new DomainError('could not find a point inside the domain where the function is smooth to check the derivative at');
  return { ok: true, maxError: worst, points: checked, seed, method, resampled };
}

function samplePoint(claim: Claim, seed: number, positiveOnly: boolean): { at: Env; dims: DimSizes } {
  const dims = new Map<string, number>();
  for (const e of claim.exprs) for (const [k, v] of defaultDims(e, seed)) if (!dims.has(k)) dims.set(k, v);
  const vars = positiveOnly ? claim.vars.map((v) => (v.props.length === 0 ? { ...v, props: ['positive' as const] } : v)) : claim.vars;
  // Dimensions no variable fixes (eye(m) alone) keep their sampled sizes: they go to evaluation too.
  const plain = new Map([...dims].filter(([k]) => !k.includes('·')));
  return { at: randomPoint(vars, dims, seed), dims: plain };
}

/**
 * Central differences carry a rounding error of about ε·|f|/h besides their truncation error; when
 * |f| dwarfs its derivative (f ≈ 1e120 with a derivative of 1), that error, not the derivative, sets
 * what agreement is possible. The absolute tolerance includes it, so such points do not cry wolf.
 */
function withRoundingFloor(f: Tensor, x: Tensor) {
  let fMax = 0, xMax = 1;
  for (const v of f.data) fMax = Math.max(fMax, Math.abs(v));
  for (const v of x.data) xMax = Math.max(xMax, Math.abs(v));
  const h = Math.cbrt(Number.EPSILON) * xMax;
  return { rtol: ORDER1.rtol, atol: ORDER1.atol + (100 * Number.EPSILON * fMax) / h };
}

/** A comparison, with the two tensors it compared. */
interface Check {
  readonly cmp: Comparison;
  readonly symbolic: Tensor;
  readonly numeric: Tensor;
}

/** The symbolic value against central differences, entry by entry. */
function entrywiseCheck(base: (at: Env) => Tensor, wrt: string, at: Env, sym: Tensor, tol: Tolerance): Check {
  const numeric = fdJacobian(base, at, wrt, { avoidKinks: true });
  return { cmp: compareTensors(sym, numeric, tol), symbolic: sym, numeric };
}

/**
 * J·v from the symbolic value against a directional difference, for three random directions: the
 * first that disagrees, else the last, with the largest error over the directions compared.
 */
function directionalCheck(base: (at: Env) => Tensor, wrt: string, at: Env, sym: Tensor, seed: number, tol: Tolerance): Check {
  const x = at.get(wrt)!;
  const n = sizeOf(x.dims);
  const m = sym.data.length / n;
  let maxError = 0;
  let check: Check | undefined;
  for (let k = 0; k < 3; k++) {
    const uniform = mulberry32(seed + k * 104729);
    const v = tensor(x.dims, Array.from({ length: n }, () => uniform() - 0.5));
    const jv = tensor(sym.dims.slice(0, sym.dims.length - x.dims.length));
    for (let r = 0; r < m; r++) {
      let acc = 0;
      for (let i = 0; i < n; i++) acc += sym.data[r * n + i]! * v.data[i]!;
      jv.data[r] = acc;
    }
    const numeric = fdDirectional(base, at, wrt, v, { avoidKinks: true });
    const cmp = compareTensors(jv, numeric, tol);
    maxError = Math.max(maxError, cmp.maxError);
    check = { cmp: { ...cmp, maxError }, symbolic: jv, numeric };
    if (!cmp.ok) break;
  }
  return check!;
}

export const allVarsOf = (...es: Expr[]): Var[] => {
  const byName = new Map<string, Var>();
  for (const e of es) for (const v of varsOf(e)) if (!byName.has(v.name)) byName.set(v.name, v);
  return [...byName.values()];
};
