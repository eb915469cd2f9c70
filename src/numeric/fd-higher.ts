/**
 * Derivatives of order k ≥ 2 by nested central differences of f itself: the truth that a symbolic
 * k-th derivative is compared with. Never a simplified intermediate result — an order k−1 result
 * simplified under declared properties (S' = S) agrees with f only at points that satisfy them, and
 * differencing it off those points checks the wrong function (docs/conventions.md).
 *
 * Along directions v₁ … v_k, with steps h,
 *
 *   D(h) = (2h)^-k · Σ_{s ∈ {±1}^k} (s₁⋯s_k) · f(x + h·Σ sᵢvᵢ) = dᵏf[v₁ … v_k] + c₂h² + c₄h⁴ + …
 *
 * Repeated Richardson extrapolation (Ridders' method, Numerical Recipes §5.7) removes the h², h⁴, …
 * terms: D is taken at h₀, h₀/2, h₀/4, … (h₀ = 4·ε^(1/(k+4))·max(1, |x|)/|v|), a Neville tableau
 * a[i][j] = (4^j·a[i][j−1] − a[i−1][j−1]) / (4^j − 1) is built row by row, and the entry whose
 * difference from its neighbours is smallest is kept, that difference being its error estimate. No
 * single h suits every f (log near 0 wants small steps, rounding — 2^k·ε·|f|/(2h)^k — large ones);
 * the tableau stops when rounding takes over. Steps that leave f's domain (log of a negative) give
 * no estimate and smaller steps are tried. A kink within reach of the steps (relu at 0) makes every
 * entry disagree: the caller resamples when the error estimate is not small against the estimate.
 *
 * Entrywise, the k-th derivative tensor is symmetric in its k slots, so only index tuples
 * i₁ ≤ … ≤ i_k are differenced and each estimate is written to every permutation: a symbolic result
 * that is not symmetric then disagrees somewhere. Layout dims(f) + k·dims(x), row-major (jax.jacobian).
 */
import { DomainError, RequestError } from '../errors.js';
import type { Env } from './evaluate.js';
import type { Fn } from './fd.js';
import { type Tensor, sizeOf } from './tensor.js';

/** An estimate and, per entry, the size of its error (from the disagreement between step sizes). */
export interface FdEstimate {
  readonly value: Tensor;
  readonly error: Tensor;
}

/** Rows of the tableau: steps h₀ … h₀/2^(ROWS-1). */
const ROWS = 10;

/** Thrown when the estimate cannot be trusted here (a kink or a singularity within the steps): resample. */
export class UnreliableDifferenceError extends Error {
  constructor(readonly wrt: string) {
    super(`finite differences of order ≥ 2 are unreliable near this value of ${wrt}; take another point`);
    this.name = 'UnreliableDifferenceError';
  }
}

/** The first step for order k, relative to max(1, max|x|) / max|v|. */
export const firstStep = (order: number): number => 4 * Number.EPSILON ** (1 / (order + 4));

/** A direction as sparse coefficients (entry → weight): a basis vector is one entry. */
type Direction = ReadonlyMap<number, number>;

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/**
 * dᵏf[v₁ … v_k] with its error estimate, dims(f). `scale` is max(1, max|x|) / max|v|.
 * Evaluations at one offset are shared within a step size (tuples with repeated entries repeat offsets).
 */
function along(
  f: Fn,
  at: Env,
  wrt: string,
  dirs: readonly Direction[],
  scale: number,
  f0: Float64Array,
): { value: Float64Array; error: Float64Array } {
  const x = at.get(wrt)!;
  const k = dirs.length;
  const h0 = firstStep(k) * scale;
  const D = (h: number): Float64Array => {
    const cache = new Map<string, Float64Array>();
    const acc = new Float64Array(f0.length);
    for (let mask = 0; mask < 1 << k; mask++) {
      let sign = 1;
      const shift = new Map<number, number>();
      for (let i = 0; i < k; i++) {
        const s = mask & (1 << i) ? -1 : 1;
        sign *= s;
        for (const [idx, w] of dirs[i]!) shift.set(idx, (shift.get(idx) ?? 0) + s * w);
      }
      const offsets = [...shift].filter(([, c]) => c !== 0).sort((a, b) => a[0] - b[0]);
      const key = offsets.map(([i, c]) => `${i}:${c}`).join(',');
      let fx = cache.get(key);
      if (fx === undefined) {
        fx = offsets.length === 0 ? f0 : evaluateAt(offsets, h);
        cache.set(key, fx);
      }
      for (let j = 0; j < acc.length; j++) acc[j]! += sign * fx[j]!;
    }
    const denom = (2 * h) ** k;
    return acc.map((v) => v / denom);
  };
  /** f with x moved by h·offsets; NaN where the step leaves f's domain. */
  const evaluateAt = (offsets: ReadonlyArray<[number, number]>, h: number): Float64Array => {
    const data = Float64Array.from(x.data);
    for (const [i, c] of offsets) data[i]! += h * c;
    try {
      return f(new Map(at).set(wrt, { dims: x.dims, data })).data;
    } catch (err) {
      if (err instanceof DomainError) return new Float64Array(f0.length).fill(NaN);
      throw err;
    }
  };
  const diff = (p: Float64Array, q: Float64Array): Float64Array => p.map((v, i) => Math.abs(v - q[i]!));
  const norm = (e: Float64Array): number => {
    let m = 0;
    for (const v of e) m = v > m || Number.isNaN(v) ? (Number.isNaN(v) ? Infinity : v) : m;
    return m;
  };
  let best: { value: Float64Array; error: Float64Array } | undefined;
  let bestErr = Infinity;
  let prev: Float64Array[] = [];
  for (let i = 0; i < ROWS; i++) {
    const row = [D(h0 / 2 ** i)];
    for (let j = 1; j <= i; j++) {
      const c = 4 ** j;
      row.push(row[j - 1]!.map((v, q) => (c * v - prev[j - 1]![q]!) / (c - 1)));
      const error = diff(row[j]!, row[j - 1]!).map((v, q) => Math.max(v, Math.abs(row[j]![q]! - prev[j - 1]![q]!)));
      const e = norm(error);
      if (e < bestErr) {
        bestErr = e;
        best = { value: row[j]!, error };
      }
    }
    // Rounding has taken over when the diagonal moves away again.
    // (A diagonal still built from steps outside the domain is NaN: not a reason to stop.)
    const moved = i > 0 ? norm(diff(row[i]!, prev[i - 1]!)) : Infinity;
    if (Number.isFinite(moved) && moved >= 2 * bestErr) break;
    prev = row;
  }
  return best ?? { value: new Float64Array(f0.length).fill(NaN), error: new Float64Array(f0.length).fill(Infinity) };
}

/** The k-th derivative of f with respect to `wrt`, every entry: dims(f) + k·dims(wrt). */
export function fdHigher(f: Fn, at: Env, wrt: string, order: number): FdEstimate {
  const x = at.get(wrt);
  if (x === undefined) throw new RequestError(`no value for ${wrt}`);
  const f0t = f(at);
  const n = x.data.length,
    m = f0t.data.length;
  const total = n ** order;
  const value = new Float64Array(m * total),
    error = new Float64Array(m * total);
  const scale = Math.max(1, maxAbs(x.data));
  const tuple = new Array<number>(order).fill(0);
  for (;;) {
    const est = along(
      f,
      at,
      wrt,
      tuple.map((i) => new Map([[i, 1]])),
      scale,
      f0t.data,
    );
    for (const perm of permutations(tuple)) {
      const flat = perm.reduce((acc, i) => acc * n + i, 0);
      for (let j = 0; j < m; j++) {
        value[j * total + flat] = est.value[j]!;
        error[j * total + flat] = est.error[j]!;
      }
    }
    // Next non-decreasing tuple.
    let p = order - 1;
    while (p >= 0 && tuple[p] === n - 1) p--;
    if (p < 0) break;
    const next = tuple[p]! + 1;
    for (let q = p; q < order; q++) tuple[q] = next;
  }
  const dims = [...f0t.dims, ...Array.from({ length: order }, () => x.dims).flat()];
  return { value: { dims, data: value }, error: { dims, data: error } };
}

/** dᵏf[v₁ … v_k] along dense directions (each of wrt's dims): dims(f). */
export function fdHigherAlong(f: Fn, at: Env, wrt: string, dirs: readonly Tensor[]): FdEstimate {
  const x = at.get(wrt);
  if (x === undefined) throw new RequestError(`no value for ${wrt}`);
  const f0t = f(at);
  const vmax = Math.max(...dirs.map((v) => maxAbs(v.data)));
  if (dirs.some((v) => v.data.length !== x.data.length))
    throw new RequestError(`a direction does not have the ${x.data.length} entries of ${wrt}`);
  if (vmax === 0)
    return {
      value: { dims: f0t.dims, data: new Float64Array(f0t.data.length) },
      error: { dims: f0t.dims, data: new Float64Array(f0t.data.length) },
    };
  const sparse = dirs.map(
    (v) => new Map([...v.data].map((w, i) => [i, w] as [number, number]).filter(([, w]) => w !== 0)),
  );
  const est = along(f, at, wrt, sparse, Math.max(1, maxAbs(x.data)) / vmax, f0t.data);
  return { value: { dims: f0t.dims, data: est.value }, error: { dims: f0t.dims, data: est.error } };
}

/** Distinct orderings of a tuple. */
function permutations(t: readonly number[]): number[][] {
  if (t.length <= 1) return [[...t]];
  const out: number[][] = [];
  const seen = new Set<number>();
  t.forEach((v, i) => {
    if (seen.has(v)) return;
    seen.add(v);
    for (const rest of permutations([...t.slice(0, i), ...t.slice(i + 1)])) out.push([v, ...rest]);
  });
  return out;
}

/** How many index tuples an entrywise estimate of order k in n entries differences. */
export const entrywiseTuples = (n: number, order: number): number => {
  let c = 1;
  for (let i = 1; i <= order; i++) c = (c * (n + i - 1)) / i;
  return Math.round(c);
};

/** The k-th derivative tensor contracted with directions over its last k slots: dims(f). */
export function contract(t: Tensor, xDims: readonly number[], dirs: readonly Tensor[]): Tensor {
  const n = sizeOf(xDims),
    k = dirs.length;
  const total = n ** k;
  const m = t.data.length / total;
  const out = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    let acc = 0;
    for (let flat = 0; flat < total; flat++) {
      let w = 1,
        r = flat;
      for (let q = k - 1; q >= 0 && w !== 0; q--) {
        w *= dirs[q]!.data[r % n]!;
        r = Math.floor(r / n);
      }
      if (w !== 0) acc += t.data[j * total + flat]! * w;
    }
    out[j] = acc;
  }
  return { dims: t.dims.slice(0, t.dims.length - k * xDims.length), data: out };
}
