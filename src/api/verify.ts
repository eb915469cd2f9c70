/**
 * verify(): a symbolic derivative against central finite differences, at random points drawn from
 * each variable's domain (seeded; the seed is reported so a failure can be replayed).
 *
 * Every order is compared with finite differences of the original f — never of a simplified order
 * k−1 result, which may hold only at points satisfying declared properties (S' = S) while the
 * differences perturb entries freely (docs/conventions.md). Order 1 uses central differences;
 * order k ≥ 2 nested central differences with Richardson extrapolation (numeric/fd-higher.ts),
 * compared with a tolerance per order. Points near a kink (relu, abs, max at a tie) are resampled
 * rather than reported. For large variables the check uses random directions: J·v against
 * (f(x+hv) - f(x-hv))/2h, and at order k the tensor contracted with k random directions against
 * the nested difference along them.
 */
import { DomainError } from '../errors.js';
import type { Expr, Var } from '../ir/expr.js';
import type { DimSizes, Env } from '../numeric/evaluate.js';
import {
  type Comparison,
  NearKinkError,
  ORDER1,
  type Tolerance,
  compareTensors,
  fdDirectional,
  fdJacobian,
} from '../numeric/fd.js';
import {
  UnreliableDifferenceError,
  contract,
  entrywiseTuples,
  fdHigher,
  fdHigherAlong,
  firstStep,
} from '../numeric/fd-higher.js';
import { type Rung, defaultDims, mulberry32, nextRung, randomPointOnRung } from '../numeric/random.js';
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
  readonly method: 'entrywise' | 'directional' | 'symmetric';
  /** On failure: where, and both values (for the directional method, an entry of J·v and its difference quotient). */
  readonly failure?: {
    readonly at: Env;
    readonly index: readonly number[];
    readonly symbolic: number;
    readonly numeric: number;
  };
  /** Points skipped because f had a kink there. */
  readonly resampled: number;
}

/** What is being checked: `value` is the order-th derivative of `f` with respect to `wrt`. */
export interface Claim {
  /** The original function (never a simplified intermediate). */
  readonly f: (at: Env, dims?: DimSizes) => Tensor;
  readonly order: number;
  /** The claimed derivative's value, in the layout dims(f) + order·dims(wrt). */
  readonly value: (at: Env, dims?: DimSizes) => Tensor;
  /** 'symmetric': value claims to be the symmetric gradient (G + G')/2, checked along symmetric directions. */
  readonly projection?: 'symmetric';
  /** Every variable the point must bind, with its domain. */
  readonly vars: readonly Var[];
  readonly wrt: Var;
  /** Expressions whose dimension names need sizes. */
  readonly exprs: readonly Expr[];
}

const MAX_TRIES = 12;

/**
 * Tolerances of the order-k comparison (k ≥ 2). Nested differences with one Richardson step agree
 * with a right derivative to ~1e-9 (k = 2) … ~1e-6 (k = 6) relative, and their own error estimate is
 * allowed on top; a wrong derivative is off by O(1) relative.
 */
const HIGHER: Readonly<Record<number, Tolerance>> = {
  2: { rtol: 1e-5, atol: 1e-7 },
  3: { rtol: 1e-4, atol: 1e-6 },
  4: { rtol: 1e-4, atol: 1e-6 },
  5: { rtol: 1e-3, atol: 1e-5 },
  6: { rtol: 1e-3, atol: 1e-5 },
};

/** Above this many index tuples an order-k check uses random directions instead of every entry. */
const MAX_TUPLES = 400;

export function verifyClaim(claim: Claim, opts: VerifyOptions = {}): VerifyReport {
  const seed = opts.seed ?? 20261125;
  const want = opts.at ? 1 : (opts.points ?? 3);
  let worst = 0,
    checked = 0,
    resampled = 0;
  let ladder: Rung = 'normal';
  let method: VerifyReport['method'] = 'entrywise';
  for (let attempt = 0; checked < want && attempt < want + MAX_TRIES; attempt++) {
    const s = seed + 7919 * attempt;
    let at: Env;
    try {
      const point = opts.at ? { at: opts.at, dims: undefined } : samplePoint(claim, s, ladder);
      at = point.at;
      const f = (a: Env) => claim.f(a, point.dims);
      const sym = claim.value(at, point.dims);
      const n = sizeOf(at.get(claim.wrt.name)!.dims);
      const k = claim.order;
      const directional = n > (opts.directionalAbove ?? 64) || (k > 1 && entrywiseTuples(n, k) > MAX_TUPLES);
      method = directional ? 'directional' : 'entrywise';
      const tol = withRoundingFloor(f(at), at.get(claim.wrt.name)!, k);
      if (claim.projection === 'symmetric') method = 'symmetric';
      const check =
        claim.projection === 'symmetric'
          ? symmetricCheck(f, claim.wrt.name, at, sym, tol)
          : k > 1
            ? higherCheck(f, claim.wrt.name, at, sym, k, directional ? s : undefined, tol)
            : directional
              ? directionalCheck(f, claim.wrt.name, at, sym, s, tol)
              : entrywiseCheck(f, claim.wrt.name, at, sym, tol);
      const { cmp } = check;
      checked++;
      worst = Math.max(worst, cmp.maxError);
      if (!cmp.ok) {
        const flat = cmp.worstIndex.reduce((acc, i, k) => acc * check.numeric.dims[k]! + i, 0);
        return {
          ok: false,
          maxError: worst,
          points: checked,
          seed,
          method,
          resampled,
          failure: {
            at,
            index: cmp.worstIndex,
            symbolic: check.symbolic.data[flat] ?? NaN,
            numeric: check.numeric.data[flat] ?? NaN,
          },
        };
      }
    } catch (err) {
      if (opts.at) throw err;
      if (err instanceof NearKinkError || err instanceof UnreliableDifferenceError) {
        resampled++;
        continue;
      }
      // A random point outside the domain (log of a negative number, asin of 2, …): the next rung of
      // the sampling ladder (numeric/random.ts).
      if (err instanceof DomainError) {
        if (ladder !== 'normal') resampled++;
        ladder = nextRung(ladder);
        continue;
      }
      throw err;
    }
  }
  if (checked === 0)
    throw new DomainError(
      'could not find a point inside the domain where the function is smooth to check the derivative at',
    );
  return { ok: true, maxError: worst, points: checked, seed, method, resampled };
}

function samplePoint(claim: Claim, seed: number, rung: Rung): { at: Env; dims: DimSizes } {
  const dims = new Map<string, number>();
  for (const e of claim.exprs) for (const [k, v] of defaultDims(e, seed)) if (!dims.has(k)) dims.set(k, v);
  // Dimensions no variable fixes (eye(m) alone) keep their sampled sizes: they go to evaluation too.
  const plain = new Map([...dims].filter(([k]) => !k.includes('·')));
  return { at: randomPointOnRung(claim.vars, dims, seed, rung), dims: plain };
}

/**
 * Central differences carry a rounding error of about ε·|f|/h besides their truncation error (at
 * order k, about 2^k·ε·|f|/(2h)^k); when |f| dwarfs its derivative (f ≈ 1e120 with a derivative of
 * 1), that error, not the derivative, sets what agreement is possible. The absolute tolerance
 * includes it, so such points do not cry wolf.
 */
function withRoundingFloor(f: Tensor, x: Tensor, order: number): Tolerance {
  let fMax = 0,
    xMax = 1;
  for (const v of f.data) fMax = Math.max(fMax, Math.abs(v));
  for (const v of x.data) xMax = Math.max(xMax, Math.abs(v));
  if (order === 1) {
    const h = Math.cbrt(Number.EPSILON) * xMax;
    return { rtol: ORDER1.rtol, atol: ORDER1.atol + (100 * Number.EPSILON * fMax) / h };
  }
  const tol = HIGHER[order] ?? HIGHER[6]!;
  const h = (firstStep(order) * xMax) / 8;
  return { rtol: tol.rtol, atol: tol.atol + (100 * Number.EPSILON * fMax) / h ** order };
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
function directionalCheck(
  base: (at: Env) => Tensor,
  wrt: string,
  at: Env,
  sym: Tensor,
  seed: number,
  tol: Tolerance,
): Check {
  const x = at.get(wrt)!;
  const n = sizeOf(x.dims);
  const m = sym.data.length / n;
  let maxError = 0;
  let check: Check | undefined;
  for (let k = 0; k < 3; k++) {
    const uniform = mulberry32(seed + k * 104729);
    const v = tensor(
      x.dims,
      Array.from({ length: n }, () => uniform() - 0.5),
    );
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

/**
 * Order k ≥ 2: the symbolic tensor against nested differences of f, every entry, or (with `seed`)
 * contracted with three tuples of random directions. The estimate's own error is allowed on top of
 * the tolerance; an estimate whose error is not small against its size is not trusted (resample).
 */
function higherCheck(
  f: (at: Env) => Tensor,
  wrt: string,
  at: Env,
  sym: Tensor,
  order: number,
  seed: number | undefined,
  tol: Tolerance,
): Check {
  const x = at.get(wrt)!;
  const trusted = (est: { value: Tensor; error: Tensor }): void => {
    let scale = 0;
    for (const v of est.value.data) scale = Math.max(scale, Math.abs(v));
    for (const e of est.error.data) if (!(e <= 0.01 * scale + tol.atol)) throw new UnreliableDifferenceError(wrt);
  };
  if (seed === undefined) {
    const est = fdHigher(f, at, wrt, order);
    trusted(est);
    return { cmp: compareTensors(sym, est.value, tol, est.error.data), symbolic: sym, numeric: est.value };
  }
  let maxError = 0;
  let check: Check | undefined;
  for (let t = 0; t < 3; t++) {
    const dirs = Array.from({ length: order }, (_, q) => {
      const uniform = mulberry32(seed + t * 104729 + q * 7727);
      return tensor(
        x.dims,
        Array.from(x.data, () => uniform() - 0.5),
      );
    });
    const est = fdHigherAlong(f, at, wrt, dirs);
    trusted(est);
    const symbolic = contract(sym, x.dims, dirs);
    const cmp = compareTensors(symbolic, est.value, tol, est.error.data);
    maxError = Math.max(maxError, cmp.maxError);
    check = { cmp: { ...cmp, maxError }, symbolic, numeric: est.value };
    if (!cmp.ok) break;
  }
  return check!;
}

/**
 * The symmetric gradient: for each direction of the space of symmetric matrices, B = E_ii or
 * E_ij + E_ji, the difference quotient of f along B (B perturbs both entries, so S stays
 * symmetric) gives ⟨sym(G), B⟩: sym(G)_ii, or 2·sym(G)_ij. The symmetric matrix so assembled is
 * compared with the claim entry by entry — so the claim must itself be symmetric, and the entrywise
 * G (right along the same directions) does not pass for it.
 */
function symmetricCheck(f: (at: Env) => Tensor, wrt: string, at: Env, sym: Tensor, tol: Tolerance): Check {
  const x = at.get(wrt)!;
  const n = x.dims[0]!;
  const numeric = tensor([n, n]);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const B = tensor([n, n]);
      B.data[i * n + j] = 1;
      B.data[j * n + i] = 1;
      const d = fdDirectional(f, at, wrt, B, { avoidKinks: true }).data[0]!;
      numeric.data[i * n + j] = numeric.data[j * n + i] = i === j ? d : d / 2;
    }
  }
  return { cmp: compareTensors(sym, numeric, tol), symbolic: sym, numeric };
}
